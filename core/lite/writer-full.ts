// Core's JSON, MSGPACK and RAW codecs on the lite path: they encode into a Writer, so they get one over
// the frame being built (bytes.ts `frame`). Bundled only on boards that select one of those codecs.
import type { Codec } from "../codec";
import type { LiteCodec } from "./serve";
import { frame, at, seek, put } from "./bytes";

/** `codec` appending to the frame being built; TooLarge (7) past the frame's end. */
export function liteCodec(codec: Codec): LiteCodec {
  return {
    id: codec.id,
    decode: codec.decode,
    encode: function (type, value) {
      var w = {
        buf: frame,
        pos: at,
        ensure: function (n: number) {
          if (w.pos + n > w.buf.length) throw 7;
        },
        u8: function (v: number) {
          seek(w.pos);
          put(v);
          w.pos++;
        },
        bytes: function (b: Uint8Array) {
          w.ensure(b.length);
          w.buf.set(b, w.pos);
          w.pos += b.length;
        }
      };
      codec.encode(type, value, w as any);
      seek(w.pos);
    }
  };
}
