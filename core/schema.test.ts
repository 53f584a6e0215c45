import { describe, it, expect } from "vitest";
import { t, method, event, cell, memberSignature } from "./schema";
import { fnv1a32String } from "./fnv";

const Thermo = cell("thermo", {
  read: method(t.struct({ unit: t.enum(["C", "F"]) }), t.struct({ value: t.f32, unit: t.enum(["C", "F"]) })),
  alarm: event(t.struct({ value: t.f32 }))
});

describe("schema", () => {
  it("gives the cell id from the name", () => {
    expect(Thermo.id).toBe(0x2d2ce39e);
  });
  it("makes canonical signatures and ids from them", () => {
    expect(Thermo.info.read.sig).toBe("read({unit:enum<C|F>})->{value:f32,unit:enum<C|F>}");
    expect(Thermo.info.alarm.sig).toBe("event alarm({value:f32})");
    expect(Thermo.info.read.id).toBe(fnv1a32String(Thermo.info.read.sig));
    expect(Thermo.schema).toBe("cell thermo{event alarm({value:f32});read({unit:enum<C|F>})->{value:f32,unit:enum<C|F>}}");
  });
  it("changes the id when any type changes", () => {
    const a = cell("x", { m: method(t.u8, t.u8) });
    const b = cell("x", { m: method(t.u16, t.u8) });
    expect(a.info.m.id).not.toBe(b.info.m.id);
    expect(a.hash).not.toBe(b.hash);
  });
  it("rejects bad names", () => {
    expect(() => t.struct({ "a b": t.u8 })).toThrow(/bad field name/);
    expect(() => t.enum([])).toThrow();
    expect(() => memberSignature("m", method(t.u8, t.u8))).not.toThrow();
  });
});

describe("schema names", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])("refuses the inherited field name %s", (name) => {
    expect(() => t.struct({ [name]: t.u8 })).toThrow(/bad field name/);
  });
  it("refuses __proto__ as a member name but not toString", () => {
    expect(() => cell("c", JSON.parse('{"__proto__": 1}'))).toThrow(/bad member name/);
    expect(cell("c", { toString: method(t.u8, t.u8) }).info.toString.name).toBe("toString");
  });
});
