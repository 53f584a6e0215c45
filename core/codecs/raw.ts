// RAW (codec 0): the payload is the value's bytes as they are. Only `t.bytes` and the empty struct
// `t.struct({})` (an empty payload) can be RAW; the protocol's own messages (ERROR, ANNOUNCE) use it too.
import type { Codec, Writer } from "../codec";
import type { Type } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { CodecId } from "../header";
import { badPayload, describeValue, isRecord } from "../check";
import { copyBytes } from "../slab";

function isEmptyStruct(type: Type): boolean {
  return type.k === 13 && (!type.fields || type.fields.length === 0);
}

function unsupported(type: Type): never {
  throw new CellError(ErrorCode.UnsupportedCodec, "RAW carries only bytes or {}, not " + type.sig);
}

export var rawCodec: Codec = {
  id: CodecId.Raw,
  encode: function (type: Type, value: unknown, w: Writer): void {
    if (type.k === 10) {
      if (!(value instanceof Uint8Array)) badPayload("", "expected bytes (a Uint8Array), got " + describeValue(value));
      w.bytes(value as Uint8Array);
    } else if (isEmptyStruct(type)) {
      if (!isRecord(value)) badPayload("", "expected {} (an object), got " + describeValue(value));
    } else unsupported(type);
  },
  /** Returns a copy: the frame buffer is reused for the next frame. */
  decode: function (type: Type, bytes: Uint8Array): unknown {
    if (type.k === 10) return copyBytes(bytes, 0, bytes.length);
    if (!isEmptyStruct(type)) unsupported(type);
    if (bytes.length !== 0) badPayload("", bytes.length + " trailing bytes after the value ({} is an empty payload)");
    return {};
  }
};
