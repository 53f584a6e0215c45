// The board build's size-first steps (rollup.config.mjs): schema modules compiled to literals in Node,
// the COMPACT kinds a bundle carries, and what a bundle falls back to when a module does not follow the
// schema convention. Also the engine fact the Espruino build relies on: E.CRC32 is the standard CRC-32.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle, evaluateSchemaModule, kindsModuleSource, kindsOf, schemaModuleSource } from "../rollup.config.mjs";
import { T, type CellDef, type Type } from "../core/schema";
import { Echo } from "../examples/echo/schema";
import { Thermo, Unit } from "../examples/thermo/schema";
import { startEngine } from "./engines/index";
import { boardEngineOptions, loadBoard } from "./engines/boards";
import { streamLink } from "../core/stream-link";
import { remote } from "../core/host/remote";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cell-lite-build-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a compiled schema module's source and returns its exports. */
function load(source: string): Record<string, any> {
  const names: string[] = [];
  const body = source.replace(/^export var (\w+) =/gm, (_, n) => (names.push(n), `var ${n} =`));
  return new Function(`${body}\nreturn { ${names.join(", ")} };`)();
}

/** A type descriptor without its signatures (what a compiled literal holds). */
function unsigned(t: Type): unknown {
  const o: Record<string, unknown> = { k: t.k };
  if (t.of) o.of = unsigned(t.of);
  if (t.fields) o.fields = t.fields.map((f) => ({ name: f.name, type: unsigned(f.type) }));
  if (t.values) o.values = t.values;
  return o;
}

function expectCompiled(literal: any, def: CellDef<any>): void {
  expect({ name: literal.name, id: literal.id, hash: literal.hash, schema: literal.schema }).toEqual({ name: def.name, id: def.id, hash: def.hash, schema: def.schema });
  expect(Object.keys(literal.info)).toEqual(Object.keys(def.info));
  for (const m of Object.keys(def.info)) {
    const d = def.info[m].def as any;
    expect(literal.info[m].id).toBe(def.info[m].id);
    const want = d.kind === "method" ? { req: unsigned(d.req), res: unsigned(d.res) } : { type: unsigned(d.type) };
    expect(literal.info[m].def).toEqual(want);
  }
}

describe("schema modules compiled at build time", () => {
  it("turn cells and types into literals with the same ids, hashes, schema text and types", () => {
    const thermo = load(schemaModuleSource(evaluateSchemaModule(join(ROOT, "examples/thermo/schema.ts"))!, false)!);
    expectCompiled(thermo.Thermo, Thermo);
    expect(thermo.Unit).toEqual(unsigned(Unit));
    // The enum used three times is one object.
    expect(thermo.Thermo.info.read.def.req).toBe(thermo.Unit);
    expect(thermo.Thermo.info.read.def.res.fields[0].type).toBe(thermo.Unit);
    expectCompiled(load(schemaModuleSource(evaluateSchemaModule(join(ROOT, "examples/echo/schema.ts"))!, false)!).Echo, Echo);
  });

  it("keep the signatures when core's codecs (which name types in their messages) share the bundle", () => {
    const echo = load(schemaModuleSource({ Echo }, true)!).Echo;
    expect(echo.info.echo.def.req).toEqual({ k: T.String, sig: "string" });
  });

  it("are left alone when they import anything but core/schema, or export anything but cells and types", () => {
    const other = join(tmp, "other-schema.ts");
    writeFileSync(other, `import { cell, method, t } from ${JSON.stringify(join(ROOT, "core/schema"))};\nimport { ErrorCode } from ${JSON.stringify(join(ROOT, "core/errors"))};\nexport var X = cell("x", { m: method(t.u8, t.u8) });\nexport var code = ErrorCode.BadPayload;\n`);
    expect(evaluateSchemaModule(other)).toBeNull();
    expect(schemaModuleSource({ Echo, helper: () => 1 }, false)).toBeNull();
    expect(schemaModuleSource({ limit: 5 }, false)).toBeNull();
  });

  it("give the kinds a bundle's COMPACT codec carries; the rest of the codec is folded away", () => {
    expect(kindsOf([Echo])).toEqual([T.U32, T.String]);
    expect(kindsOf([Thermo])).toEqual([T.F32, T.Struct, T.Enum]);
    const src = kindsModuleSource([T.U32, T.String]);
    expect(src).toContain("export var U32 = true;");
    expect(src).toContain("export var F64 = false;");
    expect(kindsModuleSource(undefined)).not.toContain("false");
  });
});

describe("a cell module that defines its cell inline (no schema module)", () => {
  it("still builds and answers, carrying the DSL (bigger)", async () => {
    const entry = join(tmp, "inline.ts");
    writeFileSync(
      entry,
      [
        `import { cell, method, t } from ${JSON.stringify(join(ROOT, "core/schema"))};`,
        `import type { DeviceCell } from ${JSON.stringify(join(ROOT, "firmware/runtime"))};`,
        `export var Shout = cell("shout", { up: method(t.string, t.string) });`,
        `var c: DeviceCell<typeof Shout.members> = { def: Shout, handlers: { up: function (s) { return s.toUpperCase(); } } };`,
        `export default [c];`
      ].join("\n")
    );
    const built = await buildBundle({ board: "puckjs", entry, outDir: tmp });
    const compiled = await buildBundle({ board: "puckjs", entry: "examples/echo", outDir: tmp });
    const code = readFileSync(built.path, "utf8");
    expect(code).toContain("hash to the same id"); // cell()'s own checks came along
    expect(readFileSync(compiled.path, "utf8")).not.toContain("hash to the same id");
    expect(built.bytes).toBeGreaterThan(compiled.bytes);
    const { Shout } = await import(entry);
    expect(built.cells).toEqual([{ name: "shout", id: Shout.id, schemaHash: Shout.hash.toString(16).padStart(8, "0"), schema: Shout.schema }]);
    const e = await startEngine({ ...boardEngineOptions(loadBoard("puckjs"), "duktape", built.path, {}, false), clock: "real" });
    try {
      const shout = remote(Shout as CellDef<any>, streamLink(e, { maxFrame: 256 }), { timeoutMs: 3000 });
      expect(await shout.up("quiet")).toBe("QUIET");
      expect(await shout.describe()).toBe(Shout.schema);
    } finally {
      e.close();
      await e.exited;
    }
  }, 60000);
});

describe("Espruino's E.CRC32", () => {
  it("is the standard CRC-32 in the Espruino personality, so Espruino bundles use it as the link's CRC", async () => {
    // The probe writes E.CRC32("123456789") as text on the link device, once the test listens.
    const probe = join(tmp, "crc-probe.js");
    writeFileSync(probe, `LoopbackA.setConsole(true); setTimeout(function () { Serial1.write(String(E.CRC32(new Uint8Array([49, 50, 51, 52, 53, 54, 55, 56, 57])) >>> 0)); }, 50);`);
    const e = await startEngine({ engine: "duktape", personality: "espruino", bundle: probe, opts: { link: "Serial1", console: "Serial1" } });
    let text = "";
    e.onData((b) => (text += Buffer.from(b).toString()));
    try {
      for (let i = 0; i < 100 && text.length < 10; i++) await new Promise((r) => setTimeout(r, 10));
      expect(Number(text)).toBe(0xcbf43926);
    } finally {
      e.close();
      await e.exited;
    }
  });
});
