// COMPACT (codec 2): schema-driven, postcard-style. No names and no tags: both sides know the type, so a
// value costs only its data. The speed codec; rules and examples in spec/codecs.md.
import type { Codec, Writer } from "../codec";
import type { Type } from "../schema";
import { CellError } from "../errors";
import { CodecId } from "../header";
import { encodeChecked } from "./checked-encode";
import { encodeValue } from "./compact-encode";
import { decodeAll } from "./compact-decode";

export { MAX_ZERO_SIZE_ITEMS } from "./compact-decode";

export var compactCodec: Codec = {
  id: CodecId.Compact,
  encode: function (type: Type, value: unknown, w: Writer): void {
    encodeChecked(encodeValue, type, value, w);
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
