// Runs spec/vectors/codecs.json both ways: encode(value) gives the hex, decode(hex) gives the value,
// and every invalid input fails with the listed error. The file is data for any implementation.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { encode as libEncode } from "@msgpack/msgpack";
import { t, type Type } from "../core/schema";
import { Writer } from "../core/codec";
import { CellError } from "../core/errors";
import { ALL_CODECS } from "../core/codecs/index";
import { toValue } from "./codec-vector-values";

interface Vector {
  name: string;
  type: string;
  value: unknown;
  hex: Record<string, string>;
  decoded?: Record<string, unknown>;
  encodeError?: Record<string, string>;
}
interface Invalid {
  name: string;
  codec: string;
  type: string;
  hex?: string;
  value?: unknown;
  code: string;
  error: string;
}
const file = JSON.parse(readFileSync(new URL("../spec/vectors/codecs.json", import.meta.url), "utf8")) as {
  codecs: Record<string, number>;
  vectors: Vector[];
  invalid: Invalid[];
};

/** Reads a canonical type signature (`{a:u8,b:array<enum<X|Y>>}`) back into a Type. */
function parseType(sig: string): Type {
  let at = 0;
  const word = () => {
    const m = /^[A-Za-z0-9_]+/.exec(sig.slice(at));
    if (!m) throw new Error("bad signature at " + at + ": " + sig);
    at += m[0].length;
    return m[0];
  };
  const expectChar = (c: string) => {
    if (sig[at] !== c) throw new Error("expected " + c + " at " + at + ": " + sig);
    at++;
  };
  const type = (): Type => {
    if (sig[at] === "{") {
      at++;
      const fields: Record<string, Type> = {};
      while (sig[at] !== "}") {
        const name = word();
        expectChar(":");
        fields[name] = type();
        if (sig[at] === ",") at++;
      }
      at++;
      return t.struct(fields);
    }
    const name = word();
    if (name === "array" || name === "optional" || name === "enum") {
      expectChar("<");
      let result: Type;
      if (name === "enum") {
        const values = [word()];
        while (sig[at] === "|") {
          at++;
          values.push(word());
        }
        result = t.enum(values);
      } else result = name === "array" ? t.array(type()) : t.optional(type());
      expectChar(">");
      return result;
    }
    const scalar = (t as unknown as Record<string, Type>)[name];
    if (!scalar || typeof scalar !== "object") throw new Error("unknown type " + name);
    return scalar;
  };
  const result = type();
  if (at !== sig.length || result.sig !== sig) throw new Error("signature not canonical: " + sig);
  return result;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const codec = (name: string) => ALL_CODECS[file.codecs[name]];

describe("spec/vectors/codecs.json", () => {
  it("names the four codecs with their ids", () => {
    expect(file.codecs).toEqual({ raw: 0, msgpack: 1, compact: 2, json: 3 });
    expect(ALL_CODECS.map((c) => c.id)).toEqual([0, 1, 2, 3]);
  });

  for (const v of file.vectors) {
    describe(v.name, () => {
      const type = parseType(v.type);
      const value = toValue(v.value);
      for (const [name, expected] of Object.entries(v.hex)) {
        it(`${name}: encodes to ${expected.length > 40 ? expected.slice(0, 40) + "..." : expected || "(empty)"} and back`, () => {
          const w = new Writer(4);
          codec(name).encode(type, value, w);
          expect(hex(w.view())).toBe(expected);
          const back = codec(name).decode(type, new Uint8Array(Buffer.from(expected, "hex")));
          expect(back).toEqual(v.decoded && name in v.decoded ? toValue(v.decoded[name]) : value);
          if (name === "msgpack") expect(hex(libEncode(value))).toBe(expected); // the reference library agrees
        });
      }
      for (const [name, error] of Object.entries(v.encodeError || {})) {
        it(`${name}: refuses to encode it`, () => {
          expect(() => codec(name).encode(type, value, new Writer())).toThrow(error);
        });
      }
    });
  }

  describe("invalid inputs", () => {
    for (const bad of file.invalid) {
      it(`${bad.codec}: ${bad.name}`, () => {
        const type = parseType(bad.type);
        let caught: unknown;
        try {
          if (bad.hex !== undefined) codec(bad.codec).decode(type, new Uint8Array(Buffer.from(bad.hex, "hex")));
          else codec(bad.codec).encode(type, toValue(bad.value), new Writer());
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(CellError);
        expect((caught as CellError).codeName).toBe(bad.code);
        expect((caught as Error).message.startsWith(bad.error), (caught as Error).message).toBe(true);
      });
    }
  });
});
