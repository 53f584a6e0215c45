// Random types, values of them, and values wrong for some type (fast-check), shared by the codec
// property tests (core/codecs/properties.test.ts) and the lite differential tests.
import fc from "fast-check";
import { t, T, type Type } from "../core/schema";

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);

/** A random Type, nested up to `depth` levels (every kind). */
export function typeArb(depth: number): fc.Arbitrary<Type> {
  const leaf = fc.constantFrom<Type>(t.u8, t.u16, t.u32, t.i8, t.i16, t.i32, t.f32, t.f64, t.bool, t.string, t.bytes);
  const enumType = fc.uniqueArray(name, { minLength: 1, maxLength: 5 }).map((values) => t.enum(values) as Type);
  if (depth <= 0) return fc.oneof({ arbitrary: leaf, weight: 4 }, enumType);
  const sub = typeArb(depth - 1);
  const struct = fc
    .uniqueArray(fc.tuple(name, sub), { selector: (f) => f[0], maxLength: 6 })
    .map((fields) => t.struct(Object.fromEntries(fields)) as Type);
  return fc.oneof(
    { arbitrary: leaf, weight: 4 },
    enumType,
    sub.map((of) => t.array(of) as Type),
    sub.filter((of) => of.k !== T.Optional).map((of) => t.optional(of) as Type),
    { arbitrary: struct, weight: 2 }
  );
}

export interface ValueOptions {
  /** JSON cannot carry NaN or Infinity. */
  finite?: boolean;
}

/**
 * A random value of `type`, absent optional fields without a key (the value model). Strings and bytes
 * mix short ones with ones past MSGPACK's 8-bit lengths and COMPACT's one-byte varints.
 */
export function valueArb(type: Type, opts: ValueOptions = {}): fc.Arbitrary<unknown> {
  const floats = { noNaN: !!opts.finite, noDefaultInfinity: !!opts.finite };
  switch (type.k) {
    case T.U8:
      return fc.integer({ min: 0, max: 255 });
    case T.U16:
      return fc.integer({ min: 0, max: 65535 });
    case T.U32:
      return fc.integer({ min: 0, max: 4294967295 });
    case T.I8:
      return fc.integer({ min: -128, max: 127 });
    case T.I16:
      return fc.integer({ min: -32768, max: 32767 });
    case T.I32:
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case T.F32:
      return fc.float(floats);
    case T.F64:
      return fc.oneof(fc.double(floats), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }));
    case T.Bool:
      return fc.boolean();
    case T.String:
      return fc.oneof(
        { arbitrary: fc.string({ unit: "binary", maxLength: 12 }), weight: 4 },
        fc.string({ unit: "grapheme", maxLength: 80 }),
        fc.string({ unit: "binary", minLength: 20, maxLength: 300 })
      );
    case T.Bytes:
      return fc.oneof({ arbitrary: fc.uint8Array({ maxLength: 12 }), weight: 4 }, fc.uint8Array({ minLength: 130, maxLength: 300 }));
    case T.Array:
      return fc.array(valueArb(type.of!, opts), { maxLength: 4 });
    case T.Optional:
      return fc.option(valueArb(type.of!, opts), { nil: undefined });
    case T.Struct: {
      const fields = type.fields!;
      return fc.tuple(...fields.map((f) => valueArb(f.type, opts))).map((values) => {
        const obj: Record<string, unknown> = {};
        fields.forEach((f, i) => {
          if (values[i] !== undefined) obj[f.name] = values[i];
        });
        return obj;
      });
    }
    case T.Enum:
      return fc.constantFrom(...type.values!);
  }
  throw new Error("unknown kind " + type.k);
}

/** Values that are wrong for some type: the codecs must agree on which they refuse. */
export const anything = fc.oneof(
  fc.integer({ min: -70000, max: 5000000000 }),
  fc.double(),
  fc.constantFrom(-0, 1.5, 256, 65536, -129, 2 ** 32, 3.5e38, -3.5e38, Infinity, NaN),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 3 }),
  fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 3 }),
  fc.dictionary(name, fc.integer({ min: 0, max: 300 }), { maxKeys: 3 })
);
