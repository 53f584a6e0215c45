// The real device bundles (rollup build of examples/echo and examples/thermo) for every board: strict
// ES5; they answer frames built by the host core inside Duktape and QuickJS under the board's engine
// personality (the host board's bundle under Node); and they fit the board's budgets: bundle size, and
// the Duktape heap capped at the board's RAM budget.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { buildBundle, type BundleInfo } from "../firmware/build";
import { startEngine, ensureDuktapeRunner, type Engine, type EngineName } from "../engines/index";
import { boardEngineOptions } from "../engines/boards";
import { loadBoard } from "../firmware/build";
import { es5Problems } from "../engines/es5-check";
import { streamLink } from "../core/stream-link";
import { remote } from "../core/host/remote";
import { CodecId, HEADER_SIZE, Kind, encodeHeader, newHeader } from "../core/header";
import { instanceTable } from "../core/rpc/instances";
import { Echo } from "../examples/echo/echo";
import { Thermo } from "../examples/thermo/schema";

// Kaluma has these beyond ES5 (its global.c); lite text uses them there (core/lite/features.ts TEXT_CODER).
const KALUMA_GLOBALS = ["TextEncoder", "TextDecoder"];
const DEVICE_BOARDS = ["esp32", "puckjs", "espruino-pico", "rpi-pico", "qemu-mps2-an385"];
/** Boards whose engines are Espruino or JerryScript: issue 3's budgets for COMPACT-only bundles apply. */
const SMALL_ENGINE_BOARDS = DEVICE_BOARDS.filter((b) => ["espruino", "jerryscript"].includes(loadBoard(b).engine));
const out = mkdtempSync(`${tmpdir()}/cell-bundles-`);
const built: Record<string, { echo: BundleInfo; thermo: BundleInfo }> = {};
/** echo and thermo built with COMPACT only (what the budgets measure) for the small-engine boards. */
const compactOnly: Record<string, { echo: BundleInfo; thermo: BundleInfo }> = {};
const heapTable: string[] = [];

// The first engine run compiles the 32-bit Duktape runner: done here, not inside a test's time limit.
beforeAll(() => void ensureDuktapeRunner(), 120000);

beforeAll(async () => {
  for (const board of [...DEVICE_BOARDS, "host"]) {
    built[board] = {
      echo: await buildBundle({ board, entry: "examples/echo", outDir: out }),
      thermo: await buildBundle({ board, entry: "examples/thermo", outDir: out })
    };
  }
  for (const board of SMALL_ENGINE_BOARDS) {
    const dir = `${out}/compact-only`;
    compactOnly[board] = {
      echo: await buildBundle({ board, entry: "examples/echo", outDir: dir, codecs: ["compact"] }),
      thermo: await buildBundle({ board, entry: "examples/thermo", outDir: dir, codecs: ["compact"] })
    };
  }
}, 900000); // 28 rollup builds: minutes on a loaded 2-core machine

afterAll(() => {
  const sizes = Object.keys(built).map((b) => {
    const line = (x: BundleInfo) => `${x.bytes} B (${x.gzipBytes} gzip)`;
    const small = compactOnly[b] ? `; COMPACT only: echo ${line(compactOnly[b].echo)}, thermo ${line(compactOnly[b].thermo)}` : "";
    return `  ${b} [${built[b].echo.codecs.join(",")}]: echo ${line(built[b].echo)}, thermo ${line(built[b].thermo)}${small}`;
  });
  console.log(["Bundle sizes, minified:", ...sizes].join("\n"));
  if (heapTable.length)
    console.log(
      ["Heap in bytes above the engine's startup baseline (engine + personality), right after start and at peak:", ...heapTable].join("\n")
    );
  rmSync(out, { recursive: true, force: true });
});

describe("built bundles", () => {
  it("are ES5 scripts that use nothing the small engines lack, and carry a manifest", () => {
    for (const board of [...DEVICE_BOARDS, "host"]) {
      for (const b of [...Object.values(built[board]), ...Object.values(compactOnly[board] || {})]) {
        const code = readFileSync(b.path, "utf8");
        expect(
          es5Problems(code, board === "rpi-pico" ? KALUMA_GLOBALS : []).map(
            (p) => `${p.what} near ${JSON.stringify(code.slice(p.at, p.at + 40))}`
          ),
          `${board}/${b.name}`
        ).toEqual([]);
        expect(b.bytes).toBe(Buffer.byteLength(code));
        expect(b.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(b.gzipBytes).toBeLessThan(b.bytes);
        const manifest = JSON.parse(readFileSync(b.manifest, "utf8"));
        expect(manifest.board).toBe(board);
        expect(manifest.bundles[b.name].sha256).toBe(b.sha256);
      }
      expect(built[board].echo.cells).toEqual([
        { name: "echo", id: Echo.id, schemaHash: Echo.hash.toString(16).padStart(8, "0"), schema: Echo.schema }
      ]);
      expect(built[board].thermo.cells.map((c) => c.name)).toEqual(["thermo"]);
    }
  });

  it("(the ES5 check itself flags newer syntax, missing globals and missing methods)", () => {
    expect(es5Problems("let x = 1;")[0].what).toMatch(/^not ES5/);
    expect(
      es5Problems("var a = new Map(); [1].includes(1); Object.assign({}, {}); var o = { Promise: 1 }; o.Symbol;").map((p) => p.what)
    ).toEqual(["uses global Map", "calls .includes()", "uses Object.assign"]);
    expect(es5Problems("var Map = function () {}; new Map();")).toEqual([]);
  });

  it("carry the cells as compiled literals, not the schema DSL, and COMPACT code only for the kinds they use", () => {
    for (const board of DEVICE_BOARDS) {
      const echo = readFileSync(built[board].echo.path, "utf8");
      const thermo = readFileSync(built[board].thermo.path, "utf8");
      for (const code of [echo, thermo]) {
        expect(code).not.toContain("hash to the same id"); // cell()'s checks
        expect(code).not.toContain("16777619"); // the FNV prime
      }
      expect(echo).toContain(JSON.stringify(Echo.schema)); // what describe answers
      expect(built[board].echo.kinds).toEqual([2, 9]);
      // Neither example defers an answer or reads its call context: no in-flight table, CANCEL or Overloaded code.
      for (const b of [built[board].echo, built[board].thermo])
        expect(b.features).toMatchObject({ DEFER: false, CONTEXT: false, DEFS: false });
      expect(echo).not.toContain("maxInFlight");
      expect(built[board].thermo.kinds).toEqual([6, 13, 14]);
      if (built[board].echo.codecs.length === 1) {
        expect(echo).not.toMatch(/Float(32|64)Array/); // echo carries no floats
        expect(thermo).not.toContain("fromCharCode"); // thermo decodes no strings
      }
    }
  });

  it("leave out codecs the board does not select", () => {
    const puck = readFileSync(built.puckjs.echo.path, "utf8");
    const host = readFileSync(built.host.echo.path, "utf8");
    expect(built.puckjs.echo.codecs).toEqual(["compact"]);
    // JSON's and MSGPACK's encoders name their formats in error messages; COMPACT-only bundles lack them.
    expect(host).toMatch(/msgpack/i);
    expect(puck).not.toMatch(/msgpack/i);
  });
});

/** Functional runs are uncapped, so that behaviour and budget are reported apart (see "board budgets"). */
async function run(engine: EngineName, board: string, which: "echo" | "thermo"): Promise<Engine> {
  const b = loadBoard(board);
  return startEngine({
    ...boardEngineOptions(b, engine, built[board][which].path, { adc: 0.25, temperature: 24.5 }, false),
    clock: "real"
  });
}

for (const board of DEVICE_BOARDS) {
  for (const engine of ["duktape", "quickjs"] as EngineName[]) {
    describe(`${board} in ${engine}`, () => {
      it("echo answers calls in every codec it has, counts them in events, refuses the others", async () => {
        const e = await run(engine, board, "echo");
        try {
          const link = streamLink(e, { maxFrame: loadBoard(board).maxFrameBytes });
          const echo = remote(Echo, link, { timeoutMs: 3000 });
          const counts: number[] = [];
          await echo.on("count", (n) => counts.push(n));
          expect(await echo.echo("hello, device")).toBe("hello, device");
          expect(await echo.echo("ünïcødé ✓")).toBe("ünïcødé ✓");
          expect(await echo.describe()).toBe(Echo.schema);
          for (const codec of built[board].echo.codecs) {
            const id = { compact: CodecId.Compact, json: CodecId.Json, msgpack: CodecId.Msgpack, raw: CodecId.Raw }[codec]!;
            if (codec !== "raw") expect(await echo.echo(`via ${codec}`, { codec: id })).toBe(`via ${codec}`);
          }
          if (!built[board].echo.codecs.includes("msgpack")) {
            await expect(echo.echo("x", { codec: CodecId.Msgpack })).rejects.toMatchObject({ codeName: "UnsupportedCodec" });
          }
          // Garbage on the line is dropped; the device still answers.
          e.write(new Uint8Array(500).map((_, i) => (i * 37 + 11) & 255));
          e.write(new Uint8Array([0]));
          expect(await echo.echo("after noise")).toBe("after noise");
          // A CANCEL for a request that already has its answer (every echo) is ignored, as for an unknown id.
          const cancel = new Uint8Array(HEADER_SIZE);
          encodeHeader(
            {
              ...newHeader(),
              kind: Kind.Cancel,
              codec: CodecId.Raw,
              cellId: Echo.id,
              methodId: Echo.info.echo.id,
              requestId: 1,
              length: 0
            },
            cancel,
            0
          );
          link.send(cancel);
          const unknownBefore = link.stats.drops.UnknownRequest || 0;
          expect(await echo.echo("after cancel")).toBe("after cancel");
          expect(link.stats.drops.UnknownRequest || 0).toBe(unknownBefore);
          await new Promise((r) => setTimeout(r, 50));
          expect(counts.length).toBeGreaterThanOrEqual(4);
          expect(counts).toEqual(counts.map((_, i) => counts[0] + i));
          const h = e.heap();
          heapTable.push(
            `  ${board} ${engine} echo: started +${e.started.used - e.started.baseline}, peak +${h.peak - e.started.baseline} (baseline ${e.started.baseline})`
          );
        } finally {
          e.close();
          await e.exited;
        }
      });

      it("thermo reads the board's sensor and raises the alarm over the threshold", async () => {
        const e = await run(engine, board, "thermo");
        try {
          const link = streamLink(e, { maxFrame: loadBoard(board).maxFrameBytes });
          const thermo = remote(Thermo, link, { timeoutMs: 3000 });
          const b = loadBoard(board);
          // ADC boards read a TMP36 at 0.25 of 3.3 V (32.5 °C); the others their own sensor (24.5 °C).
          const expected = b.sensors.temperature === "adc" ? (0.25 * 3.3 - 0.5) * 100 : 24.5;
          const c = await thermo.read("C");
          expect(c.unit).toBe("C");
          expect(c.value).toBeCloseTo(expected, 1);
          expect((await thermo.read("F")).value).toBeCloseTo(expected * 1.8 + 32, 1);
          await expect(thermo.read("K" as never)).rejects.toMatchObject({ codeName: "BadPayload" });
          const alarms: { value: number; threshold: number }[] = [];
          await thermo.on("alarm", (a) => alarms.push(a));
          expect(await thermo.setThreshold(20)).toBe(30);
          const deadline = Date.now() + 3000;
          while (alarms.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          expect(alarms[0].threshold).toBe(20);
          expect(alarms[0].value).toBeCloseTo(expected, 1);
          heapTable.push(
            `  ${board} ${engine} thermo: started +${e.started.used - e.started.baseline}, peak +${e.heap().peak - e.started.baseline} (baseline ${e.started.baseline})`
          );
        } finally {
          e.close();
          await e.exited;
        }
      });
    });
  }
}

describe("device announcements", () => {
  for (const board of DEVICE_BOARDS) {
    it(`${board}: the echo bundle announces its cell, again every ttl/3 (heard by core's instance table)`, async () => {
      const b = loadBoard(board);
      const e = await startEngine({ ...boardEngineOptions(b, "duktape", built[board].echo.path, {}, false), clock: "virtual" });
      const table = instanceTable();
      try {
        const link = streamLink(e, { maxFrame: b.maxFrameBytes });
        table.attach(link);
        // The announcement at start went out before this link listened: the next comes after ttl/3 (10 s).
        e.tick(10001);
        for (let i = 0; i < 100 && table.list().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        expect(table.list().map((x) => [x.name, x.cellId, x.schemaHash, x.ttlMs])).toEqual([["echo", Echo.id, Echo.hash, 30000]]);
      } finally {
        table.close();
        e.close();
        await e.exited;
      }
    });
  }
});

// Issue 3's budgets for the minimal cells with COMPACT over UART on Espruino and JerryScript boards:
// echo at most 3 KB, thermo at most 5 KB (sizes are deterministic, so these are tests). The bundles
// measured here also run: the echo below, in both engines.
describe("issue 3 budgets: COMPACT-only bundles on Espruino and JerryScript boards", () => {
  for (const board of SMALL_ENGINE_BOARDS) {
    it(`${board}: echo is at most 3 KB minified`, () => {
      const b = compactOnly[board].echo;
      expect(b.codecs).toEqual(["compact"]);
      expect(b.bytes, `echo for ${board}: ${b.bytes} bytes minified (${b.gzipBytes} gzip)`).toBeLessThanOrEqual(3072);
    });
    for (const engine of ["duktape", "quickjs"] as EngineName[]) {
      it(`${board}: that echo answers in ${engine}, counts in events, and survives garbage`, async () => {
        const e = await startEngine({
          ...boardEngineOptions(loadBoard(board), engine, compactOnly[board].echo.path, {}, false),
          clock: "real"
        });
        try {
          const echo = remote(Echo, streamLink(e, { maxFrame: loadBoard(board).maxFrameBytes }), { timeoutMs: 3000 });
          const counts: number[] = [];
          await echo.on("count", (n) => counts.push(n));
          expect(await echo.echo("ünïcødé ✓")).toBe("ünïcødé ✓");
          expect(await echo.describe()).toBe(Echo.schema);
          await expect(echo.echo("x", { codec: CodecId.Json })).rejects.toMatchObject({ codeName: "UnsupportedCodec" });
          e.write(new Uint8Array(300).map((_, i) => (i * 53 + 7) & 255));
          e.write(new Uint8Array([0]));
          expect(await echo.echo("after noise")).toBe("after noise");
          await vi.waitFor(() => expect(counts).toEqual([1, 2]));
        } finally {
          e.close();
          await e.exited;
        }
      });
    }
    it(`${board}: thermo is at most 5 KB minified`, () => {
      const b = compactOnly[board].thermo;
      expect(b.bytes, `thermo for ${board}: ${b.bytes} bytes minified (${b.gzipBytes} gzip)`).toBeLessThanOrEqual(5120);
    });
  }
});

describe("board budgets", () => {
  for (const board of DEVICE_BOARDS) {
    for (const which of ["echo", "thermo"] as const) {
      it(`${board}: ${which} is within the bundle size budget`, () => {
        const b = built[board][which];
        expect(b.bytes, `${which} for ${board}: ${b.bytes} bytes minified (${b.gzipBytes} gzip)`).toBeLessThanOrEqual(
          loadBoard(board).budget.maxBundleBytes
        );
      });

      it(`${board}: ${which} starts and answers within the board's RAM budget (Duktape, capped heap)`, async () => {
        const b = loadBoard(board);
        const options = boardEngineOptions(b, "duktape", built[board][which].path, { adc: 0.25, temperature: 24.5 });
        const e = await startEngine(options).catch((err: Error) => {
          throw new Error(
            `${which} does not fit ${board}'s ${b.ramBytes}-byte ${b.ramAccounting.covers} heap budget: ${err.message.split("\n")[0]}`
          );
        });
        try {
          const link = streamLink(e, { maxFrame: b.maxFrameBytes });
          if (which === "echo") expect(await remote(Echo, link, { timeoutMs: 3000 }).echo("fits")).toBe("fits");
          else expect((await remote(Thermo, link, { timeoutMs: 3000 }).read("C")).unit).toBe("C");
          expect(e.heap().peak).toBeLessThanOrEqual(e.heap().limit);
        } finally {
          e.close();
          await e.exited;
        }
      });
    }
  }
});

describe("host board", () => {
  it("runs the echo bundle under Node over stdio", async () => {
    const child = spawn(process.execPath, [built.host.echo.path], { stdio: ["pipe", "pipe", "inherit"] });
    try {
      const link = streamLink(
        {
          write: (b) => void child.stdin.write(Buffer.from(b)),
          onData: (cb) => void child.stdout.on("data", (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.length)))
        },
        { maxFrame: 65536 }
      );
      const echo = remote(Echo, link, { timeoutMs: 3000 });
      expect(await echo.echo("from node")).toBe("from node");
      expect(await echo.echo("json", { codec: CodecId.Json })).toBe("json");
    } finally {
      child.kill();
    }
  });
});
