import { describe, it, expect } from "vitest";
import { t } from "../schema";
import { Writer } from "../codec";
import { CellError, ErrorCode } from "../errors";
import { rawCodec } from "./raw";

function error(run: () => unknown): CellError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CellError);
    return e as CellError;
  }
  throw new Error("no error");
}

describe("RAW codec", () => {
  it("carries bytes as they are and {} as an empty payload", () => {
    const w = new Writer(2);
    w.u8(9);
    rawCodec.encode(t.bytes, new Uint8Array([1, 2, 3]), w);
    rawCodec.encode(t.struct({}), { ignored: 1 }, w);
    expect(Array.from(w.view())).toEqual([9, 1, 2, 3]);
    expect(rawCodec.decode(t.struct({}), new Uint8Array(0))).toEqual({});
  });

  it("decodes bytes as a copy of the frame", () => {
    const frame = new Uint8Array([4, 5]);
    const value = rawCodec.decode(t.bytes, frame) as Uint8Array;
    frame[0] = 0;
    expect(Array.from(value)).toEqual([4, 5]);
  });

  it("refuses wrong values and a non-empty payload for {}", () => {
    const w = new Writer();
    const e1 = error(() => rawCodec.encode(t.bytes, [1, 2], w));
    expect(e1.code).toBe(ErrorCode.BadPayload);
    expect(e1.message).toBe("payload: expected bytes (a Uint8Array), got an array");
    expect(error(() => rawCodec.encode(t.struct({}), null, w)).message).toBe("payload: expected {} (an object), got null");
    const e2 = error(() => rawCodec.decode(t.struct({}), new Uint8Array(2)));
    expect(e2.code).toBe(ErrorCode.BadPayload);
    expect(e2.message).toMatch(/2 trailing bytes/);
  });

  it("refuses every other type as UnsupportedCodec", () => {
    for (const type of [t.u8, t.string, t.array(t.u8), t.struct({ a: t.u8 }), t.optional(t.bytes)]) {
      expect(error(() => rawCodec.encode(type, 1, new Writer())).code).toBe(ErrorCode.UnsupportedCodec);
      const e = error(() => rawCodec.decode(type, new Uint8Array(1)));
      expect(e.code).toBe(ErrorCode.UnsupportedCodec);
      expect(e.message).toBe("RAW carries only bytes or {}, not " + type.sig);
    }
  });
});
