// The type-guided MSGPACK reader must agree exactly with the generic reader + checkValue it stands in for:
// same value (same keys, same order) or, once it gives up, the same error. Checked on random schemas, on
// values of other schemas, and on damaged bytes.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { encode as libEncode } from "@msgpack/msgpack";
import { t, T, type Type } from "../schema";
import { checkValue } from "../check";
import { msgpackCodec } from "./index"; // from the index: that installs the type-guided reader
import { readMsgpack, GAVE_UP } from "./msgpack-decode";
import { decodeTyped } from "./msgpack-typed";

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/);

function typeArb(depth: number): fc.Arbitrary<Type> {
  const leaf = fc.constantFrom<Type>(t.u8, t.u16, t.u32, t.i8, t.i16, t.i32, t.f32, t.f64, t.bool, t.string, t.bytes);
  const enumType = fc.uniqueArray(name, { minLength: 1, maxLength: 4 }).map((values) => t.enum(values) as Type);
  if (depth <= 0) return fc.oneof({ arbitrary: leaf, weight: 4 }, enumType);
  const sub = typeArb(depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    enumType,
    sub.map((of) => t.array(of) as Type),
    sub.filter((of) => of.k !== T.Optional).map((of) => t.optional(of) as Type),
    {
      arbitrary: fc
        .uniqueArray(fc.tuple(name, sub), { selector: (f) => f[0], maxLength: 5 })
        .map((fields) => t.struct(Object.fromEntries(fields)) as Type),
      weight: 3
    }
  );
}

/** Values near the type: mostly right, sometimes null, out of range, or of another kind. */
function valueArb(type: Type): fc.Arbitrary<unknown> {
  const odd = fc.constantFrom<unknown>(null, -1, 70000, 2 ** 40, 1.5, "x", true, new Uint8Array([1]), [], {});
  let right: fc.Arbitrary<unknown>;
  switch (type.k) {
    case T.U8:
    case T.U16:
    case T.U32:
    case T.I8:
    case T.I16:
    case T.I32:
      right = fc.oneof(fc.integer({ min: -40000, max: 70000 }), fc.integer());
      break;
    case T.F32:
    case T.F64:
      right = fc.oneof(fc.double(), fc.constant(3.5e38));
      break;
    case T.Bool:
      right = fc.boolean();
      break;
    case T.String:
      right = fc.string({ unit: "binary", maxLength: 40 });
      break;
    case T.Bytes:
      right = fc.uint8Array({ maxLength: 300 });
      break;
    case T.Array:
      right = fc.array(valueArb(type.of!), { maxLength: 3 });
      break;
    case T.Optional:
      right = fc.option(valueArb(type.of!), { nil: null });
      break;
    case T.Enum:
      right = fc.constantFrom(...type.values!);
      break;
    default: {
      const fields = type.fields!;
      right = fc
        .tuple(fc.tuple(...fields.map((f) => fc.option(valueArb(f.type), { nil: undefined, freq: 8 }))), fc.boolean(), fc.boolean())
        .map(([values, extra, reverse]) => {
          const entries: [string, unknown][] = [];
          fields.forEach((f, i) => {
            if (values[i] !== undefined) entries.push([f.name, values[i]]);
          });
          if (extra) entries.push(["zz_extra", 1]);
          if (reverse) entries.reverse();
          return Object.fromEntries(entries);
        });
    }
  }
  return fc.oneof({ arbitrary: right, weight: 12 }, odd);
}

type Outcome = { value: unknown; keys: string } | { error: string };

/** Every object's keys in order, so that key order is compared too. */
function keyOrder(v: unknown): string {
  if (Array.isArray(v)) return "[" + v.map(keyOrder).join(",") + "]";
  if (v && typeof v === "object" && !(v instanceof Uint8Array)) {
    return (
      "{" +
      Object.entries(v)
        .map(([k, x]) => k + ":" + keyOrder(x))
        .join(",") +
      "}"
    );
  }
  return "";
}

function outcome(run: () => unknown): Outcome {
  try {
    const value = run();
    return { value, keys: keyOrder(value) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const reference = (type: Type, bytes: Uint8Array) => outcome(() => checkValue(type, readMsgpack(bytes), ""));
const ours = (type: Type, bytes: Uint8Array) => outcome(() => msgpackCodec.decode(type, bytes));

describe("type-guided MSGPACK decoding", () => {
  it("takes the fast path for what the encoders write, with the reference's result", () => {
    const S = t.struct({ name: t.string, tags: t.array(t.enum(["a", "b"])), at: t.optional(t.f64), raw: t.bytes, n: t.i16 });
    const value = { name: "añb", tags: ["b"], raw: new Uint8Array(100).fill(7), n: -300 };
    const bytes = libEncode(value);
    const fast = decodeTyped(S, bytes);
    expect(fast).not.toBe(GAVE_UP);
    expect(fast).toStrictEqual(checkValue(S, readMsgpack(bytes), ""));
    expect(keyOrder(fast)).toBe("{name:,tags:[],raw:,n:}");
  });

  it("gives up on keys out of order, unknown or repeated keys, and trailing bytes", () => {
    const S = t.struct({ a: t.u8, b: t.optional(t.u8) });
    expect(decodeTyped(S, libEncode({ b: 1, a: 2 }))).toBe(GAVE_UP);
    expect(decodeTyped(S, libEncode({ a: 2, z: 1 }))).toBe(GAVE_UP);
    expect(decodeTyped(S, Uint8Array.from([0x82, 0xa1, 0x61, 1, 0xa1, 0x61, 2]))).toBe(GAVE_UP);
    expect(decodeTyped(t.u8, Uint8Array.from([1, 1]))).toBe(GAVE_UP);
    expect(msgpackCodec.decode(S, libEncode({ b: 1, a: 2 }))).toEqual({ a: 2, b: 1 });
  });

  it("agrees with the reference on random schemas and near-miss values", () => {
    let fast = 0;
    fc.assert(
      fc.property(
        typeArb(3).chain((type) => valueArb(type).map((value) => ({ type, value }))),
        ({ type, value }) => {
          const bytes = libEncode(value);
          const want = reference(type, bytes);
          expect(ours(type, bytes)).toStrictEqual(want);
          if (decodeTyped(type, bytes) !== GAVE_UP) {
            fast++;
            expect("value" in want).toBe(true); // the fast path never accepts what the reference refuses
          }
        }
      ),
      { numRuns: 600 }
    );
    expect(fast).toBeGreaterThan(150); // and it really is the path most valid input takes
  });

  it("agrees with the reference on damaged bytes", () => {
    const damaged = typeArb(2).chain((type) =>
      valueArb(type).chain((value) => {
        const bytes = libEncode(value);
        return fc.tuple(fc.nat(bytes.length), fc.integer({ min: 0, max: 255 }), fc.nat(bytes.length)).map(([at, byte, cut]) => {
          const b = Uint8Array.from(bytes);
          if (at < b.length) b[at] = byte;
          return { type, bytes: b.subarray(0, Math.max(cut, at)) };
        });
      })
    );
    fc.assert(
      fc.property(damaged, ({ type, bytes }) => {
        expect(ours(type, bytes)).toStrictEqual(reference(type, bytes));
      }),
      { numRuns: 600 }
    );
  });
});
