// The board build's size-first steps (firmware/build/): schema modules compiled to literals in Node,
// the COMPACT kinds a bundle carries, and what a bundle falls back to when a module does not follow the
// schema convention. Also the engine fact the Espruino build relies on: E.CRC32 is the standard CRC-32.
import { describe, it, expect, afterAll, beforeAll } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildBundle,
  evaluateSchemaModule,
  featuresModuleSource,
  featuresOf,
  kindsModuleSource,
  kindsOf,
  schemaModuleSource
} from "../firmware/build";
import { T, type CellDef, type Type } from "../core/schema";
import type { CellError } from "../core/errors";
import { Echo } from "../examples/echo/schema";
import { Thermo, Unit } from "../examples/thermo/schema";
import { startEngine, ensureDuktapeRunner } from "../engines/index";
import { boardEngineOptions } from "../engines/boards";
import { loadBoard } from "../firmware/build";
import { streamLink } from "../core/stream-link";
import { remote } from "../core/host/remote";
import { announceFrame } from "../core/rpc/announce";
import { instanceTable } from "../core/rpc/instances";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cell-lite-build-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// The first engine run compiles the 32-bit Duktape runner: done here, not inside a test's time limit.
beforeAll(() => void ensureDuktapeRunner(), 120000);

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
  expect({ name: literal.name, id: literal.id, hash: literal.hash, schema: literal.schema }).toEqual({
    name: def.name,
    id: def.id,
    hash: def.hash,
    schema: def.schema
  });
  expect(Object.keys(literal.info)).toEqual(Object.keys(def.info));
  for (const m of Object.keys(def.info)) {
    const d = def.info[m].def as any;
    expect(literal.info[m].id).toBe(def.info[m].id);
    const want = d.kind === "method" ? { req: unsigned(d.req), res: unsigned(d.res) } : { type: unsigned(d.type) };
    expect(literal.info[m].def).toEqual(want);
  }
}

/** A compiled member table (core/lite/cells.ts CompiledCell) holds the same members, ids and types as `def`. */
function expectTable(literal: any, def: CellDef<any>): void {
  expect({ name: literal.name, id: literal.id, hash: literal.hash, schema: literal.schema }).toEqual({
    name: def.name,
    id: def.id,
    hash: def.hash,
    schema: def.schema
  });
  expect(Object.keys(literal.m).length).toBe(Object.keys(def.info).length);
  const events: Record<string, number> = {};
  for (const m of Object.keys(def.info)) {
    const d = def.info[m].def as any;
    const want = d.kind === "method" ? [m, unsigned(d.req), unsigned(d.res)] : [m, unsigned(d.type)];
    expect(literal.m[def.info[m].id]).toEqual(want);
    if (d.kind !== "method") events[m] = def.info[m].id;
  }
  expect(literal.e).toEqual(events);
}

describe("schema modules compiled at build time", () => {
  it("turn cells and types into literals with the same ids, hashes, schema text and types", () => {
    const exports = evaluateSchemaModule(join(ROOT, "examples/thermo/schema.ts"))!;
    // With core's `info` nesting kept (a cell module that reads it) ...
    const thermo = load(schemaModuleSource(exports, false, true)!);
    expectCompiled(thermo.Thermo, Thermo);
    expect(thermo.Unit).toEqual(unsigned(Unit));
    // The enum used three times is one object.
    expect(thermo.Thermo.info.read.def.req).toBe(thermo.Unit);
    expect(thermo.Thermo.info.read.def.res.fields[0].type).toBe(thermo.Unit);
    expect(thermo.Thermo.m[Thermo.info.read.id][1]).toBe(thermo.Unit);
    expectCompiled(load(schemaModuleSource(evaluateSchemaModule(join(ROOT, "examples/echo/schema.ts"))!, false, true)!).Echo, Echo);
    // ... and by default only the member table, resolved at build time.
    const lean = load(schemaModuleSource(exports, false)!);
    expect(lean.Thermo.info).toBeUndefined();
    expectTable(lean.Thermo, Thermo);
    expect(lean.Thermo.m[Thermo.info.read.id][2].fields[0].type).toBe(lean.Unit);
    expectTable(load(schemaModuleSource(evaluateSchemaModule(join(ROOT, "examples/echo/schema.ts"))!, false)!).Echo, Echo);
  });

  it("keep the signatures when core's codecs (which name types in their messages) share the bundle", () => {
    const echo = load(schemaModuleSource({ Echo }, true, true)!).Echo;
    expect(echo.info.echo.def.req).toEqual({ k: T.String, sig: "string" });
    expect(echo.m[Echo.info.echo.id][1]).toEqual({ k: T.String, sig: "string" });
  });

  it("are left alone when they import anything but core/schema, or export anything but cells and types", () => {
    const other = join(tmp, "other-schema.ts");
    writeFileSync(
      other,
      `import { cell, method, t } from ${JSON.stringify(join(ROOT, "core/schema"))};\nimport { ErrorCode } from ${JSON.stringify(join(ROOT, "core/errors"))};\nexport var X = cell("x", { m: method(t.u8, t.u8) });\nexport var code = ErrorCode.BadPayload;\n`
    );
    expect(evaluateSchemaModule(other)).toBeNull();
    // COMPACT-only builds: the member table holds the request's decoder and the answer's and event's encoders.
    const fns = schemaModuleSource({ Echo }, false, false, true)!;
    expect(fns).toMatch(/^import \{ dString, eString, eU32 \} from ".*core\/lite\/compact-fns\.ts";$/m);
    // An event's entry is its encoder alone.
    expect(fns).toContain(`${Echo.info.echo.id}: ["echo", dString, eString], ${Echo.info.count.id}: eU32`);
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
    // Compiled member tables give the same kinds as core's nesting.
    expect(kindsOf([load(schemaModuleSource({ Thermo }, false)!).Thermo])).toEqual([T.F32, T.Struct, T.Enum]);
  });

  it("give the server features a bundle's cell code can use, conservatively", () => {
    const compiledEcho = load(schemaModuleSource({ Echo }, false)!).Echo;
    const sync = "export default [{ def: Echo, handlers: { echo: function (s) { return s; } } }];";
    expect(featuresOf([sync], [compiledEcho])).toEqual({
      DEFER: false,
      CONTEXT: false,
      DEFS: false,
      info: false,
      hash: false,
      CELL_ERRORS: false,
      EVENT_IDS_UNIQUE: true
    });
    expect(featuresOf(["throw new CellError(8, 'busy')"], [compiledEcho])).toMatchObject({ CELL_ERRORS: true });
    // Two cells with events of the same id keep their subscriptions apart by cell.
    const twin = { ...compiledEcho, id: compiledEcho.id + 1 };
    expect(featuresOf([sync], [compiledEcho, twin])).toMatchObject({ EVENT_IDS_UNIQUE: false });
    // Any mention keeps a feature, even in a comment; a cell that is not compiled needs indexing at start.
    expect(featuresOf([sync, "// answers later with ctx.defer()"], [compiledEcho])).toMatchObject({ DEFER: true, CONTEXT: true });
    expect(featuresOf(["function (x, c) { return c.requestId; }"], [compiledEcho])).toMatchObject({ DEFER: false, CONTEXT: true });
    expect(featuresOf([sync], [Echo])).toMatchObject({ DEFS: true });
    expect(featuresOf(["Echo.info.echo.id"], [compiledEcho])).toMatchObject({ info: true });
    expect(featuresOf(["Echo.hash"], [compiledEcho])).toMatchObject({ hash: true });
    expect(featuresModuleSource({ DEFER: false, CONTEXT: true, DEFS: false })).toBe(
      'export var DEFER = false;\nexport var CONTEXT = true;\nexport var CELL_ERRORS = true;\nexport var DEFS = false;\nexport var EVENT_IDS_UNIQUE = false;\nexport var OPTIONS = true;\nexport var INSTANCE_ID = false;\nexport var MAX_FRAME = 0;\nexport var FNS = false;\nexport var ANNOUNCE = "";\nexport var CHUNKS = 3;\nexport var WHOLE_BUFFER_WRITES = false;\nexport var BYTE_STRINGS = false;\nexport var TEXT_CODER = false;\nexport var NATIVE_TEXT = true;'
    );
    // Espruino's serial ports bring byte strings, Kaluma's UART a Uint8Array.
    expect(featuresModuleSource({}, loadBoard("puckjs"))).toContain("export var CHUNKS = 2;");
    expect(featuresModuleSource({}, loadBoard("rpi-pico"))).toContain("export var CHUNKS = 1;");
    // Espruino boards are built without Unicode: their strings hold UTF-8 bytes as they are.
    expect(featuresModuleSource({}, loadBoard("puckjs"))).toContain("export var BYTE_STRINGS = true;");
    expect(featuresModuleSource({}, loadBoard("rpi-pico"))).toContain("export var BYTE_STRINGS = false;");
    // Kaluma's TextEncoder/TextDecoder (its URI functions mangle characters above U+FFFF); not on our QEMU firmware.
    expect(featuresModuleSource({}, loadBoard("rpi-pico"))).toContain("export var TEXT_CODER = true;");
    expect(featuresModuleSource({}, loadBoard("qemu-mps2-an385-jerryscript"))).toContain("export var TEXT_CODER = false;");
    expect(featuresModuleSource({}, loadBoard("puckjs"))).toContain("export var TEXT_CODER = false;");
    // The text natives of our QEMU firmware (sim.textIn / sim.textOut), whichever engine it embeds; no other board has them.
    expect(featuresModuleSource({}, loadBoard("qemu-mps2-an385-jerryscript"))).toContain("export var NATIVE_TEXT = true;");
    expect(featuresModuleSource({}, loadBoard("qemu-mps2-an385"))).toContain("export var NATIVE_TEXT = true;");
    expect(featuresModuleSource({}, loadBoard("rpi-pico"))).toContain("export var NATIVE_TEXT = false;");
    expect(featuresModuleSource({}, loadBoard("puckjs"))).toContain("export var NATIVE_TEXT = false;");
    // A board build's entry passes no announce options, and its link's frame size is the board's.
    expect(featuresModuleSource({ DEFER: false, CONTEXT: false, DEFS: false }, loadBoard("puckjs"))).toContain(
      "export var OPTIONS = false;\nexport var INSTANCE_ID = false;\nexport var MAX_FRAME = 256;"
    );
    // ...but a BLE board that advertises its cells passes the instance id its beacon carries (spec/ble.md §2).
    const echoCell = [{ name: "echo", id: 1, schemaHash: "00000001" }];
    expect(featuresModuleSource({}, loadBoard("puckjs"), true, echoCell)).toContain(
      "export var OPTIONS = false;\nexport var INSTANCE_ID = true;"
    );
    expect(featuresModuleSource({}, loadBoard("esp32"), true, echoCell)).toContain("export var INSTANCE_ID = false;");
    expect(featuresModuleSource({ DEFER: false, CONTEXT: false, DEFS: false }, loadBoard("host"))).toContain("export var MAX_FRAME = 0;");
    // Unknown features: everything a server can be asked for (FNS is a narrowing, so it is off).
    for (const f of ["DEFER", "CONTEXT", "DEFS", "OPTIONS"]) expect(featuresModuleSource(undefined)).toContain(`export var ${f} = true;`);
    expect(featuresModuleSource(undefined)).toContain("export var FNS = false;");
  });

  it("make a board build's ANNOUNCE cell list: the bytes core's announceFrame writes for the same cells", () => {
    const cells = [Echo, Thermo].map((c) => ({ name: c.name, id: c.id, schemaHash: c.hash.toString(16).padStart(8, "0") }));
    const source = featuresModuleSource({}, loadBoard("puckjs"), true, cells);
    const announced = JSON.parse(/export var ANNOUNCE = (".*");/.exec(source)![1]) as string;
    const frame = announceFrame({
      instanceId: 0,
      ttlMs: 0,
      cells: [Echo, Thermo].map((c) => ({ name: c.name, cellId: c.id, schemaHash: c.hash }))
    });
    // After the 20-byte header, instanceId and ttl: the cells' part.
    expect(Buffer.from(announced, "latin1").toString("hex")).toBe(Buffer.from(frame.subarray(28)).toString("hex"));
    expect(() => featuresModuleSource({}, loadBoard("puckjs"), true, [{ name: "é", id: 1, schemaHash: "00000001" }])).toThrow(
      /printable ASCII/
    );
    // More cells than a board's frames can announce: the build says so, rather than the board failing at boot.
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `cell${i}`, id: i + 1, schemaHash: "00000001" }));
    expect(() => featuresModuleSource({}, loadBoard("puckjs"), true, many)).toThrow(
      /announcing 20 cells takes 319 bytes, more than its 256-byte frames/
    );
  });
});

describe("a cell module that defines its cell inline (no schema module)", () => {
  it("does not build: the DSL would reach the device; the error says where to put the definitions", async () => {
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
    const failure = await buildBundle({ board: "puckjs", entry, outDir: tmp }).then(
      () => null,
      (e: Error & { problems?: string[] }) => e
    );
    expect(failure?.name).toBe("DeviceCodeError");
    expect(failure?.message.split("\n")[0]).toBe("device code does not build for an ES5 engine: the schema DSL in the bundle");
    expect(failure?.problems).toEqual([
      expect.stringMatching(
        /inline\.ts imports core\/schema \(the schema DSL\) into the device bundle: put the cell definitions in a schema module .*schema\.ts/
      )
    ]);
    expect(existsSync(join(tmp, "puckjs", "inline.js"))).toBe(false);
  }, 60000);
});

describe("server features decided at build time", () => {
  it("a cell without deferred answers gets no in-flight table, CANCEL handling or Overloaded; one with them keeps all of it", async () => {
    const schema = join(tmp, "later-schema.ts");
    writeFileSync(
      schema,
      `import { cell, method, t } from ${JSON.stringify(join(ROOT, "core/schema"))};\nexport var Later = cell("later", { hold: method(t.u32, t.u32), release: method(t.u8, t.u8) });\n`
    );
    const entry = join(tmp, "later.ts");
    writeFileSync(
      entry,
      [
        `import { Later } from ${JSON.stringify(schema)};`,
        `import type { DeviceCell } from ${JSON.stringify(join(ROOT, "firmware/runtime"))};`,
        `var held: { n: number; done: (e: unknown, r?: number) => void; ctx: { cancelled: boolean } }[] = [];`,
        `var c: DeviceCell<typeof Later.members> = { def: Later, handlers: {`,
        `  hold: function (n, ctx) { held.push({ n: n, done: ctx.defer(), ctx: ctx }); },`,
        `  release: function () { var cancelled = 0; held.forEach(function (h) { if (h.ctx.cancelled) cancelled++; h.done(null, h.n); }); held = []; return cancelled; }`,
        `} };`,
        `export default [c];`
      ].join("\n")
    );
    const later = await buildBundle({ board: "puckjs", entry, outDir: tmp });
    const echo = await buildBundle({ board: "puckjs", entry: "examples/echo", outDir: tmp });
    expect(later.features).toMatchObject({ DEFER: true, CONTEXT: true });
    expect(echo.features).toMatchObject({ DEFER: false, CONTEXT: false, DEFS: false });
    expect(readFileSync(later.path, "utf8")).toContain("maxInFlight");
    expect(readFileSync(echo.path, "utf8")).not.toContain("maxInFlight");
    const { Later } = await import(schema);
    const e = await startEngine({ ...boardEngineOptions(loadBoard("puckjs"), "duktape", later.path, {}, false), clock: "real" });
    try {
      const l = remote(Later as CellDef<any>, streamLink(e, { maxFrame: 256 }), { timeoutMs: 3000 });
      const abort = new AbortController();
      const first = l.hold(1, { signal: abort.signal });
      await new Promise((r) => setTimeout(r, 50));
      abort.abort();
      await expect(first).rejects.toMatchObject({ codeName: "Cancelled" });
      const rest = [l.hold(2), l.hold(3), l.hold(4)];
      await new Promise((r) => setTimeout(r, 50));
      // The cancelled one was told (ctx.cancelled) and left the in-flight table: three held, room for release.
      expect(await l.release(0)).toBe(1);
      expect(await Promise.all(rest)).toEqual([2, 3, 4]);
      // Four held fill the table; they are never answered (the engine stops), so their rejections are kept.
      const full = [l.hold(5), l.hold(6), l.hold(7), l.hold(8)].map((p) => p.catch((err: CellError) => err));
      await new Promise((r) => setTimeout(r, 50));
      await expect(l.release(0)).rejects.toMatchObject({ codeName: "Overloaded" });
      expect(full.length).toBe(4);
    } finally {
      e.close();
      await e.exited;
    }
  }, 120000);
});

describe("two cells in one bundle", () => {
  it("keep their subscriptions apart when their events share an id, announce both, and pass a CellError's code", async () => {
    const schema = join(tmp, "pair-schema.ts");
    writeFileSync(
      schema,
      [
        `import { cell, method, event, t } from ${JSON.stringify(join(ROOT, "core/schema"))};`,
        // The same event signature: the same member id in both cells.
        `export var Left = cell("left", { poke: method(t.u8, t.u8), tick: event(t.u32) });`,
        `export var Right = cell("right", { poke: method(t.u8, t.u8), tick: event(t.u32) });`
      ].join("\n")
    );
    const entry = join(tmp, "pair.ts");
    writeFileSync(
      entry,
      [
        `import { Left, Right } from ${JSON.stringify(schema)};`,
        `import { CellError } from ${JSON.stringify(join(ROOT, "core/errors"))};`,
        `import type { DeviceCell, DeviceServer } from ${JSON.stringify(join(ROOT, "firmware/runtime"))};`,
        `var servers: DeviceServer<any>[] = [];`,
        `function tickAll(n: number) { servers.forEach(function (s) { s.emit("tick", n); }); }`,
        `var left: DeviceCell<typeof Left.members> = { def: Left, handlers: { poke: function (n) { tickAll(n); return n; } }, start: function (s) { servers.push(s); } };`,
        `var right: DeviceCell<typeof Right.members> = { def: Right, handlers: { poke: function (n) { if (n > 9) throw new CellError(8, "busy"); if (n > 5) throw new Error("bad " + n); return n; } }, start: function (s) { servers.push(s); } };`,
        `export default [left, right];`
      ].join("\n")
    );
    const built = await buildBundle({ board: "puckjs", entry, outDir: tmp });
    expect(built.features).toMatchObject({ EVENT_IDS_UNIQUE: false, CELL_ERRORS: true, DEFS: false });
    const { Left, Right } = await import(schema);
    expect(Left.info.tick.id).toBe(Right.info.tick.id);
    const e = await startEngine({ ...boardEngineOptions(loadBoard("puckjs"), "duktape", built.path, {}, false), clock: "virtual" });
    try {
      const link = streamLink(e, { maxFrame: 256 });
      const table = instanceTable();
      table.attach(link);
      const l = remote(Left as CellDef<any>, link, { timeoutMs: 3000 });
      const r = remote(Right as CellDef<any>, link, { timeoutMs: 3000 });
      const ticks: string[] = [];
      await l.on("tick", (n) => ticks.push("left " + n));
      expect(await l.poke(1)).toBe(1);
      await r.on("tick", (n) => ticks.push("right " + n));
      expect(await l.poke(2)).toBe(2);
      await new Promise((res) => setTimeout(res, 50));
      expect(ticks).toEqual(["left 1", "left 2", "right 2"]);
      await expect(r.poke(12)).rejects.toMatchObject({ code: 8, message: "busy" });
      await expect(r.poke(7)).rejects.toMatchObject({ codeName: "HandlerFailed", message: "bad 7" });
      // Both cells in the ANNOUNCE made at build time (the first went out before the link listened; the next after ttl/3).
      e.tick(10001);
      for (let i = 0; i < 100 && table.list().length < 2; i++) await new Promise((res) => setTimeout(res, 10));
      expect(table.list().map((x) => [x.name, x.cellId, x.schemaHash])).toEqual([
        ["left", Left.id, Left.hash],
        ["right", Right.id, Right.hash]
      ]);
      table.close();
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
    writeFileSync(
      probe,
      `LoopbackA.setConsole(true); setTimeout(function () { Serial1.write(String(E.CRC32(new Uint8Array([49, 50, 51, 52, 53, 54, 55, 56, 57])) >>> 0)); }, 50);`
    );
    const e = await startEngine({
      engine: "duktape",
      personality: "espruino",
      bundle: probe,
      opts: { link: "Serial1", console: "Serial1" }
    });
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
