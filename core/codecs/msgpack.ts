// MSGPACK (codec 1): self-describing, byte-identical to @msgpack/msgpack's default encode() for the
// values Cell carries, so any msgpack library can read and write Cell payloads (spec/codecs.md).
import type { Codec, Writer } from "../codec";
import type { Type } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { CodecId } from "../header";
import { checkValue } from "../check";
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
    var start = w.pos;
    try {
      encodeValue(type, value, w);
    } catch (e) {
      w.pos = start;
      // checkValue throws the precise error naming the field; if it finds nothing, the original stands.
      if (e instanceof CellError && e.code === ErrorCode.BadPayload) checkValue(type, value, "");
      throw e;
    }
  },
  /** Reads any value of the subset, then checks it against the type: unknown map keys are dropped. */
  decode: function (type: Type, bytes: Uint8Array): unknown {
    var value = typedReader !== null ? typedReader(type, bytes) : GAVE_UP;
    return value !== GAVE_UP ? value : checkValue(type, readMsgpack(bytes), "");
  }
};
