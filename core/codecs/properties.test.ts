// Property tests over random schemas and values, for every codec: round trips, byte identity with
// @msgpack/msgpack, agreement between the fast encoders and checkValue, and garbage that never crashes.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { encode as libEncode, decode as libDecode } from "@msgpack/msgpack";
import { t, T, type Type } from "../schema";
import { typeArb, valueArb, type ValueOptions } from "../../test/arbitraries";
import { Writer, type Codec } from "../codec";
import { CellError, ErrorCode } from "../errors";
import { checkValue } from "../check";
import { rawCodec, msgpackCodec, compactCodec, jsonCodec, ALL_CODECS } from "./index";

const typed = (opts: ValueOptions = {}) => typeArb(3).chain((type) => valueArb(type, opts).map((value) => ({ type, value })));

const w = new Writer();
function enc(codec: Codec, type: Type, value: unknown): Uint8Array {
  w.reset();
  codec.encode(type, value, w);
  return w.view().slice();
}

/**
 * MSGPACK and JSON write -0 as the integer 0, and @msgpack/msgpack decodes nil as null where the value
 * model says undefined (absent). Everything else must come back as it went.
 */
function normalize(v: unknown): unknown {
  if (v === null) return undefined;
  if (typeof v === "number") return Object.is(v, -0) ? 0 : v;
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object" && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

describe("codec properties", () => {
  it("COMPACT round-trips every value exactly", () => {
    fc.assert(
      fc.property(typed(), ({ type, value }) => {
        expect(compactCodec.decode(type, enc(compactCodec, type, value))).toEqual(value);
      }),
      { numRuns: 400 }
    );
  });

  it("MSGPACK round-trips every value (-0 becomes 0, as in @msgpack/msgpack)", () => {
    fc.assert(
      fc.property(typed(), ({ type, value }) => {
        expect(msgpackCodec.decode(type, enc(msgpackCodec, type, value))).toEqual(normalize(value));
      }),
      { numRuns: 400 }
    );
  });

  it("JSON round-trips every finite value", () => {
    fc.assert(
      fc.property(typed({ finite: true }), ({ type, value }) => {
        expect(jsonCodec.decode(type, enc(jsonCodec, type, value))).toEqual(normalize(value));
      }),
      { numRuns: 400 }
    );
  });

  it("RAW round-trips bytes and {}", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(rawCodec.decode(t.bytes, enc(rawCodec, t.bytes, bytes))).toEqual(bytes);
      })
    );
    expect(rawCodec.decode(t.struct({}), enc(rawCodec, t.struct({}), {}))).toEqual({});
  });

  it("MSGPACK is byte-identical to @msgpack/msgpack encode(), which decodes it back", () => {
    fc.assert(
      fc.property(typed(), ({ type, value }) => {
        const ours = enc(msgpackCodec, type, value);
        expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(libEncode(value)).toString("hex"));
        expect(normalize(libDecode(ours))).toEqual(normalize(value));
      }),
      { numRuns: 500 }
    );
  });

  it("MSGPACK decodes what @msgpack/msgpack encodes", () => {
    fc.assert(
      fc.property(typed(), ({ type, value }) => {
        expect(msgpackCodec.decode(type, libEncode(value))).toEqual(normalize(value));
      }),
      { numRuns: 300 }
    );
  });

  it("encoders accept exactly the values checkValue accepts, with the same message", () => {
    const wrong = typeArb(2).chain((type) =>
      fc
        .oneof(
          valueArb(type),
          typeArb(2).chain((other) => valueArb(other)),
          fc.anything()
        )
        .map((value) => ({ type, value }))
    );
    fc.assert(
      fc.property(wrong, ({ type, value }) => {
        let expected = "";
        try {
          checkValue(type, value);
        } catch (e) {
          expected = (e as Error).message;
        }
        for (const codec of [compactCodec, msgpackCodec, jsonCodec]) {
          let got = "";
          w.reset(3);
          try {
            codec.encode(type, value, w);
          } catch (e) {
            expect((e as CellError).code).toBe(ErrorCode.BadPayload);
            expect(w.pos).toBe(3); // nothing half-written is left behind
            got = (e as Error).message;
          }
          // JSON refuses NaN and Infinity on top of what checkValue refuses.
          if (codec === jsonCodec && got && !expected) expect(got).toMatch(/cannot be sent/);
          else expect(got).toBe(expected);
        }
      }),
      { numRuns: 600 }
    );
  });

  it("decoding random bytes gives a checked value or BadPayload, never a crash", () => {
    fc.assert(
      fc.property(typeArb(3), fc.uint8Array({ maxLength: 48 }), (type, bytes) => {
        for (const codec of ALL_CODECS) {
          let value: unknown;
          try {
            value = codec.decode(type, bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(CellError);
            expect([ErrorCode.BadPayload, ErrorCode.UnsupportedCodec]).toContain((e as CellError).code);
            continue;
          }
          expect(() => checkValue(type, value)).not.toThrow();
        }
      }),
      { numRuns: 1000 }
    );
  });

  it("decoding damaged encodings gives BadPayload or a value that encodes again", () => {
    const damage = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("flip", "cut", "insert"));
    fc.assert(
      fc.property(typed({ finite: true }), damage, ({ type, value }, [where, byte, how]) => {
        for (const codec of [compactCodec, msgpackCodec, jsonCodec]) {
          const good = enc(codec, type, value);
          const at = good.length ? where % good.length : 0;
          const bad =
            how === "cut"
              ? good.subarray(0, at)
              : how === "flip"
                ? good.map((b, i) => (i === at ? b ^ (byte || 1) : b))
                : Uint8Array.from([...good.subarray(0, at), byte, ...good.subarray(at)]);
          let decoded: unknown;
          try {
            decoded = codec.decode(type, bad);
          } catch (e) {
            expect((e as CellError).code).toBe(ErrorCode.BadPayload);
            continue;
          }
          expect(normalize(codec.decode(type, enc(codec, type, decoded)))).toEqual(normalize(decoded));
        }
      }),
      { numRuns: 400 }
    );
  });

  // Floats (NaN has many bit patterns) and strings (malformed UTF-8 reads as U+FFFD) are left out.
  it("COMPACT has one encoding per value: what decodes re-encodes to the same bytes", () => {
    const canonicalKinds = (type: Type): boolean =>
      type.k === T.F32 || type.k === T.F64 || type.k === T.String
        ? false
        : type.of
          ? canonicalKinds(type.of)
          : type.fields
            ? type.fields.every((f) => canonicalKinds(f.type))
            : true;
    fc.assert(
      fc.property(typeArb(3).filter(canonicalKinds), fc.uint8Array({ maxLength: 24 }), (type, bytes) => {
        let value: unknown;
        try {
          value = compactCodec.decode(type, bytes);
        } catch {
          return;
        }
        expect(enc(compactCodec, type, value)).toEqual(bytes);
      }),
      { numRuns: 2000 }
    );
  });
});

describe("values that cannot be converted", () => {
  it("are BadPayload with checkValue's message in every codec, not a TypeError (an object whose toString is no function)", () => {
    const value = { toString: {} };
    for (const type of [t.u8, t.u16, t.u32, t.i8, t.i16, t.i32]) {
      let expected = "";
      try {
        checkValue(type, value);
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).not.toBe("");
      for (const codec of [compactCodec, msgpackCodec, jsonCodec]) {
        const w = new Writer(16);
        expect(() => codec.encode(type, value, w)).toThrow(expect.objectContaining({ code: ErrorCode.BadPayload, message: expected }));
      }
    }
  });
});
