import { describe, it, expect } from "vitest";
import { t, type Type } from "../schema";
import { makeStruct, keysOf } from "./record";

describe("struct objects built in one step", () => {
  const S = t.struct({ a: t.u8, b: t.optional(t.string), c: t.u8, d: t.optional(t.u8) }) as Type;

  it("keeps the declared key order and leaves absent optionals out", () => {
    const all = makeStruct(S, [1, "x", 2, 3]) as object;
    expect(Object.keys(all)).toEqual(["a", "b", "c", "d"]);
    const some = makeStruct(S, [1, undefined, 2, undefined]) as object;
    expect(Object.keys(some)).toEqual(["a", "c"]);
    expect(some).toStrictEqual({ a: 1, c: 2 });
  });

  it("caches per type without changing how the type prints", () => {
    const before = JSON.stringify(S);
    makeStruct(S, [1, undefined, 2, undefined]);
    expect(JSON.stringify(S)).toBe(before);
    expect(Object.keys(S)).toEqual(["k", "sig", "fields"]);
    expect(Array.from(keysOf(S)[1])).toEqual([0x62]);
  });

  it("works on frozen types, and never turns a field name into code", () => {
    const frozen = Object.freeze(t.struct({ x: t.u8 })) as Type;
    expect(makeStruct(frozen, [5])).toStrictEqual({ x: 5 });
    // Types read off the wire are not checked by t.struct: such a name must stay a plain key.
    const evil = "a:(globalThis.hacked=1)}||{b";
    const odd = {
      k: 13,
      sig: "{odd}",
      fields: [
        { name: evil, type: t.u8 },
        { name: "constructor", type: t.u8 }
      ]
    } as Type;
    const value = makeStruct(odd, [1, 2]) as Record<string, unknown>;
    expect((globalThis as Record<string, unknown>).hacked).toBeUndefined();
    expect(value[evil]).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(value, "constructor")).toBe(true);
  });
});
