import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { t, T, method, event, cell, Type, Members } from "./schema";
import { parseType, parseSchema, MAX_TYPE_DEPTH } from "./schema-text";
import { compactCodec } from "./codecs";
import { Writer } from "./codec";
import { CellError } from "./errors";

const Unit = t.enum(["C", "F"]);
const Thermo = cell("thermo", {
  read: method(t.struct({ unit: Unit }), t.struct({ value: t.f32, unit: Unit }), { idempotent: true }),
  history: method(t.struct({ from: t.u32, count: t.optional(t.u16) }), t.array(t.struct({ at: t.u32, value: t.f64, tag: t.bytes }))),
  toString: method(t.struct({}), t.string),
  alarm: event(t.struct({ value: t.f32 })),
  status: event(t.optional(t.array(t.bool)))
});

const NAMES = ["a", "b", "unit", "value", "x_1", "Zed"];

/** Any type the DSL can make, up to a small depth. */
const anyType: fc.Arbitrary<Type> = fc.letrec<{ type: Type }>((tie) => ({
  type: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(t.u8, t.u16, t.u32, t.i8, t.i16, t.i32, t.f32, t.f64, t.bool, t.string, t.bytes),
    tie("type").map((x) => t.array(x)),
    tie("type")
      .filter((x) => x.k !== T.Optional)
      .map((x) => t.optional(x)),
    fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }).map((v) => t.enum(v)),
    fc
      .uniqueArray(fc.tuple(fc.constantFrom(...NAMES), tie("type")), { maxLength: 4, selector: (f) => f[0] })
      .map((fs) => t.struct(Object.fromEntries(fs)))
  )
})).type;

function code(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return (e as CellError).code;
  }
  return undefined;
}

describe("parseType", () => {
  it("reads back every signature the DSL makes, to the same signature", () => {
    fc.assert(
      fc.property(anyType, (type) => {
        expect(parseType(type.sig).sig).toBe(type.sig);
      }),
      { numRuns: 500 }
    );
  });

  it("gives descriptors the codecs use like the original", () => {
    const type = Thermo.info.history.def.kind === "method" ? Thermo.info.history.def.res : t.u8;
    const value = [{ at: 5, value: 2.5, tag: new Uint8Array([1, 2]) }];
    const a = new Writer();
    const b = new Writer();
    compactCodec.encode(type, value, a);
    compactCodec.encode(parseType(type.sig), value, b);
    expect(Array.from(b.view())).toEqual(Array.from(a.view()));
    expect(compactCodec.decode(parseType(type.sig), b.view())).toEqual(value);
  });

  it.each([
    ["", /expected a name/],
    ["u9", /unknown type "u9"/],
    ["array<u8", /expected ">"/],
    ["array<>", /expected a name/],
    ["{a:u8", /expected "}"/],
    ["{a:u8,}", /expected a name/],
    ["{a:u8,a:u16}", /field a twice/],
    ["{constructor:u8}", /bad field name/],
    ["{__proto__:u8}", /__proto__ is not a name/],
    ["enum<>", /expected a name/],
    ["enum<A|A>", /A twice/],
    ["optional<optional<u8>>", /optional<optional/],
    ["u8 ", /unexpected " "/],
    [" u8", /expected a name/],
    ["{a: u8}", /expected a name/]
  ])("refuses %j", (text, why) => {
    expect(() => parseType(text)).toThrow(why);
    expect(code(() => parseType(text))).toBe(3); // BadPayload
  });

  it("refuses nesting deeper than the limit instead of exhausting the stack", () => {
    const deep = "array<".repeat(100000) + "u8" + ">".repeat(100000);
    expect(() => parseType(deep)).toThrow(/nested deeper than/);
    const ok = "array<".repeat(MAX_TYPE_DEPTH) + "u8" + ">".repeat(MAX_TYPE_DEPTH);
    expect(parseType(ok).sig).toBe(ok);
  });
});

describe("parseSchema", () => {
  it("rebuilds a cell with the same name, ids, signatures and hash", () => {
    const back = parseSchema(Thermo.schema);
    expect(back.name).toBe("thermo");
    expect(back.id).toBe(Thermo.id);
    expect(back.hash).toBe(Thermo.hash);
    expect(back.schema).toBe(Thermo.schema);
    for (const name of Object.keys(Thermo.info)) {
      expect(back.info[name].id).toBe(Thermo.info[name].id);
      expect(back.info[name].sig).toBe(Thermo.info[name].sig);
      expect(back.info[name].def.kind).toBe(Thermo.info[name].def.kind);
    }
    expect(back.info.read.def.kind === "method" && back.info.read.def.idempotent).toBe(false); // the text does not carry it
  });

  it("round-trips random cells", () => {
    const member = fc.oneof(
      fc.tuple(anyType, anyType).map(([q, r]) => method(q, r)),
      anyType.map((x) => event(x))
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("get", "set", "tick", "x9", "Run_it"), member, { maxKeys: 5 }),
        fc.constantFrom("c", "my.cell-2", "_x"),
        (members, name) => {
          let def;
          try {
            def = cell(name, members as Members);
          } catch {
            return; // two members hashing to one id, or into the reserved range: not a cell
          }
          const back = parseSchema(def.schema);
          expect(back.hash).toBe(def.hash);
          expect(Object.keys(back.byId).sort()).toEqual(Object.keys(def.byId).sort());
        }
      ),
      { numRuns: 300 }
    );
  });

  it("reads an empty cell", () => {
    expect(parseSchema("cell empty{}").name).toBe("empty");
  });

  it.each([
    ["cell thermo", /expected "\{"/],
    ["thermo{}", /expected "cell "/],
    ["cell {}", /expected a name/],
    ["cell x{read(u8)}", /expected "->"/],
    ["cell x{event e(u8)->u8}", /expected "}"/],
    ["cell x{b(u8)->u8;a(u8)->u8}", /not canonical/],
    ["cell x{a(u8)->u8;a(u16)->u8}", /member a twice/],
    ["cell x{__proto__(u8)->u8}", /__proto__ is not a name/],
    ["cell x{a(u8)->u8}extra", /unexpected "e"/],
    ["cell x{a(u8)->u8;}", /expected a name/]
  ])("refuses %j", (text, why) => {
    expect(() => parseSchema(text)).toThrow(why);
    expect(code(() => parseSchema(text))).toBe(3);
  });

  it("never throws anything but a CellError on garbage", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        for (const text of [s, "cell x{" + s + "}", "cell x{a(" + s + ")->u8}"]) {
          try {
            parseSchema(text);
          } catch (e) {
            expect((e as Error).name).toBe("CellError");
          }
        }
      }),
      { numRuns: 1000 }
    );
  });
});
