// MSGPACK (codec 1): self-describing, byte-identical to @msgpack/msgpack's default encode() for the
// values Cell carries, so any msgpack library can read and write Cell payloads (spec/codecs.md).
import type { Codec, Writer } from "../codec";
import type { Type } from "../schema";
import { CodecId } from "../header";
import { checkValue } from "../check";
import { encodeChecked } from "./checked-encode";
import { encodeValue } from "./msgpack-encode";
import { readMsgpack, GAVE_UP } from "./msgpack-decode";

/**
 * A type-guided reader that does the usual case in one pass (msgpack-typed.ts), or GAVE_UP. Installed
 * for hosts by codecs/index.ts; device bundles import this file alone and leave its code out.
 */
var typedReader: ((type: Type, bytes: Uint8Array) => unknown) | null = null;

export function useTypedReader(read: (type: Type, bytes: Uint8Array) => unknown): void {
  typedReader = read;
}

export var msgpackCodec: Codec = {
  id: CodecId.Msgpack,
  encode: function (type: Type, value: unknown, w: Writer): void {
    encodeChecked(encodeValue, type, value, w);
  },
  /** Reads any value of the subset, then checks it against the type: unknown map keys are dropped. */
  decode: function (type: Type, bytes: Uint8Array): unknown {
    var value = typedReader !== null ? typedReader(type, bytes) : GAVE_UP;
    return value !== GAVE_UP ? value : checkValue(type, readMsgpack(bytes), "");
  }
};
