// COMPACT (codec 2): schema-driven, postcard-style. No names and no tags: both sides know the type, so a
// value costs only its data. The speed codec; rules and examples in spec/codecs.md.
import type { Codec, Writer } from "../codec";
import type { Type } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { CodecId } from "../header";
import { checkValue } from "../check";
import { encodeValue } from "./compact-encode";
import { decodeAll } from "./compact-decode";

export { MAX_ZERO_SIZE_ITEMS } from "./compact-decode";

export var compactCodec: Codec = {
  id: CodecId.Compact,
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
  /** Decoded bytes values are copies; everything else is new too, so the frame may be reused at once. */
  decode: function (type: Type, bytes: Uint8Array): unknown {
    try {
      return decodeAll(type, bytes, false);
    } catch (e) {
      // Decode again building field paths: that run throws the same failure with the field named.
      if (e instanceof CellError) decodeAll(type, bytes, true);
      throw e;
    }
  }
};
