// The per-type COMPACT functions of COMPACT-only bundles (core/lite/compact-fns.ts, put in member tables
// by firmware/build/schemas.ts) against the generic lite codec (core/lite/compact.ts), on random
// types and values: the same bytes, the same decoded values, and the same refusals (BadPayload).
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { cell, method, t, type Type } from "../core/schema";
import * as fns from "../core/lite/compact-fns";
import { compactCodec } from "../core/lite/compact";
import { seek, frame, at } from "../core/lite/bytes";
import { schemaModuleSource } from "../firmware/build";
import { hex, liteEncode } from "./lite-helpers";
import { typeArb, valueArb, anything } from "./arbitraries";

/** The decoder and encoder the build generates for `type` (as a method's request and response). */
function generated(type: Type): { decode: () => unknown; encode: (v: unknown) => void } {
  const c = cell("x", { m: method(type, type) });
  const source = schemaModuleSource({ X: c }, false, false, true)!;
  const body = source.replace(/^import \{ ([^}]*) \} from .*$/m, "var { $1 } = fns;").replace(/^export var (\w+) =/gm, "var $1 =");
  const X = new Function("fns", `${body}\nreturn X;`)(fns);
  const entry = X.m[c.info.m.id];
  expect(entry[0]).toBe("m");
  return { decode: entry[1], encode: entry[2] };
}

function fnsEncode(f: { encode: (v: unknown) => void }, value: unknown): string {
  seek(0, new Uint8Array(1 << 16));
  fns.compactFns.encode(f.encode, value);
  return hex(frame.slice(0, at));
}

/** A call's result, or what it threw (a URIError, for malformed UTF-8, counts as BadPayload). */
function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return e instanceof URIError ? 3 : e;
  }
}

describe("per-type COMPACT functions against the generic lite codec", () => {
  it("encode the same bytes and decode them to the same values", () => {
    fc.assert(
      fc.property(
        typeArb(3).chain((type) => valueArb(type).map((value) => ({ type, value }))),
        ({ type, value }) => {
          const f = generated(type);
          const bytes = liteEncode(type, value);
          expect(fnsEncode(f, value)).toBe(hex(bytes));
          expect(fns.compactFns.decode(f.decode, bytes)).toEqual(compactCodec.decode(type, bytes));
        }
      ),
      { numRuns: 500 }
    );
  });

  it("refuse the same wrong values, and the same bad, truncated or overlong payloads", () => {
    fc.assert(
      fc.property(typeArb(2), anything, fc.uint8Array({ maxLength: 24 }), (type, value, bytes) => {
        const f = generated(type);
        expect(outcome(() => fnsEncode(f, value))).toEqual(outcome(() => hex(liteEncode(type, value))));
        expect(outcome(() => fns.compactFns.decode(f.decode, bytes))).toEqual(outcome(() => compactCodec.decode(type, bytes)));
      }),
      { numRuns: 1000 }
    );
  });

  it("refuse a length or count past the payload before allocating", () => {
    const f = generated(t.array(t.bytes));
    expect(outcome(() => fns.compactFns.decode(f.decode, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f])))).toBe(3);
    const s = generated(t.string);
    expect(outcome(() => fns.compactFns.decode(s.decode, new Uint8Array([5, 0x61])))).toBe(3);
    expect(fns.compactFns.decode(s.decode, new Uint8Array([1, 0x61]))).toBe("a");
  });
});
