// The Espruino boards' bundles on Espruino 2v29 itself (the board-like Linux builds of engines/espruino/
// build.ts), flashed through the REPL as a board is, called through the bridge over the board's link.
// Stock 2v29 loses serial bytes when they come fast (fixed upstream after 2v29), so the host paces
// its writes as the board JSON says, and retries idempotent calls that time out.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { connect, Socket } from "node:net";
import { tmpdir } from "node:os";
import { buildBundle } from "../../firmware/build";
import { ensureEspruino, espruinoBoards, ESPRUINO_VARIANTS, EspruinoVariant } from "./build";
import { startEspruinoSim, EspruinoSim } from "./sim";
import { openSerial } from "../../transports/serial";
import { boardPacing } from "../../transports/pacing";
import { openUdp, UdpTransport } from "../../transports/udp";
import { createBridge, Bridge } from "../../host-bridge";
import { remote } from "../../core/host/remote";
import { cell, method, t } from "../../core/schema";
import { CellError, ErrorCode } from "../../core/errors";
import { Echo } from "../../examples/echo/schema";
import { Thermo } from "../../examples/thermo/schema";
import { seededRandom, maxEchoBytes, randomText } from "../../test/random-text";

const out = mkdtempSync(`${tmpdir()}/cell-espruino-test-`);
afterAll(() => rmSync(out, { recursive: true, force: true }));

function board(id: string) {
  return JSON.parse(readFileSync(new URL(`../../boards/${id}.json`, import.meta.url), "utf8"));
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Raw bytes on the board's link, as a broken peer would send them. */
async function sendRaw(url: string, chunks: Uint8Array[]): Promise<void> {
  const port = Number(url.split(":").pop());
  const sock: Socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => sock.once("connect", () => resolve()).once("error", reject));
  for (const c of chunks) {
    sock.write(c);
    await new Promise((r) => setTimeout(r, 200));
  }
  sock.end();
  await new Promise((r) => sock.once("close", r));
}

describe("Espruino 2v29 builds", () => {
  it("are 32-bit, per board and variant, with the board's JsVar count, and cached", () => {
    for (const id of espruinoBoards()) {
      for (const variant of ESPRUINO_VARIANTS) {
        const first = ensureEspruino(id, variant);
        const elf = readFileSync(first.path);
        expect(elf.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
        expect(elf[4]).toBe(1); // ELFCLASS32
        expect(first.variables).toBe(board(id).ramAccounting.jsVars.count);
        const again = ensureEspruino(id, variant);
        expect(again).toMatchObject({ path: first.path, built: false });
      }
    }
    expect(espruinoBoards()).toEqual(["esp32", "espruino-pico", "puckjs"]);
  }, 900000);

  it("takes an optimisation level only for the x86-64 builds (the bench's valgrind builds, built only when it asks)", () => {
    expect(() => ensureEspruino("esp32", "fixed", "x86-32", "-Os")).toThrow(/x86-64 builds only/);
  });
});

// A cell whose id matches the board's echo but asks for a method the board does not have.
const EchoPlus = cell("echo", { echo: method(t.string, t.string, { idempotent: true }), shout: method(t.string, t.string) });

for (const id of ["esp32", "puckjs", "espruino-pico"]) {
  describe(`${id}: examples on Espruino 2v29 (stock), through the bridge`, () => {
    const b = board(id);
    const pacing = boardPacing(b, "stock");
    let sim: EspruinoSim;
    let bridge: Bridge;
    let udp: UdpTransport;
    const clients: { close(): void }[] = [];
    let retries = 0;
    let heapAfterStart = 0;

    beforeAll(async () => {
      const built = await buildBundle({ board: id, entry: "examples/echo", outDir: out });
      sim = await startEspruinoSim({ board: id, bundle: new Uint8Array(readFileSync(built.path)) });
      heapAfterStart = (await sim.memory()).usage;
      // Before anyone talks to it: garbage, a truncated frame, a frame longer than the board's max.
      const long = new Uint8Array(b.maxFrameBytes + 64).fill(0x41);
      long[long.length - 1] = 0;
      await sendRaw(sim.url, [Buffer.from("\x00garbage\xff\xfe\x01\x02\x00"), Buffer.from([0x05, 0x01, 0x02, 0x03]), long]);
      // A paced max frame takes seconds each way (1 KB at 16 B per 60 ms is ~4 s): the bridge waits longer
      // than its 4 s default for the board.
      bridge = createBridge({ log: () => {}, timeoutMs: 14000 });
      bridge.addLink(await openSerial(sim.url, { maxFrame: b.maxFrameBytes + 20, pacing }), { role: "device", name: id });
      udp = await openUdp({ listen: "127.0.0.1:0" });
      bridge.addLink(udp, { role: "network", name: "udp" });
      // The board repeats its ANNOUNCE every ttl/3 (10 s by default): the bridge learns the cell from it.
      await waitFor("the board's ANNOUNCE at the bridge", () => bridge.cells().some((c) => c.cellId === Echo.id), 60000);
    }, 600000);

    afterAll(async () => {
      for (const c of clients) c.close();
      if (bridge) bridge.close();
      if (sim) await sim.close();
    });

    const echoClient = async () => {
      const link = await openUdp(`127.0.0.1:${udp.local.port}`);
      clients.push(link);
      return remote(Echo, link, { timeoutMs: 30000, retries: 3, onRetry: () => retries++ });
    };

    it("answers non-ASCII text byte for byte, after garbage on the link", async () => {
      const echo = await echoClient();
      for (const text of ["héllo ✓ 日本", "🚀 emoji 👍🏽", "plain"]) expect(await echo.echo(text)).toBe(text);
    }, 180000);

    it("answers a payload as long as the board's max frame", async () => {
      const echo = await echoClient();
      // COMPACT: 20-byte header, a 2-byte varint length, the UTF-8 bytes.
      const bytes = b.maxFrameBytes - 22;
      const text = "✓".repeat(Math.floor((bytes - 1) / 3)) + "x".repeat(bytes - 3 * Math.floor((bytes - 1) / 3));
      expect(Buffer.byteLength(text)).toBe(bytes);
      expect(await echo.echo(text)).toBe(text);
    }, 180000);

    it("sends events to subscribers", async () => {
      const echo = await echoClient();
      const counts: number[] = [];
      await echo.on("count", (n) => counts.push(n));
      await echo.echo("one");
      await echo.echo("two");
      await waitFor("two count events", () => counts.length >= 2, 30000);
      expect(counts[1]).toBe(counts[0] + 1);
    }, 180000);

    it("answers an unknown method with UnknownMethod, and keeps serving", async () => {
      const link = await openUdp(`127.0.0.1:${udp.local.port}`);
      clients.push(link);
      const plus = remote(EchoPlus, link, { timeoutMs: 15000 });
      const err = await plus.shout("hey").catch((e) => e);
      expect(err).toBeInstanceOf(CellError);
      expect(err.code).toBe(ErrorCode.UnknownMethod);
      expect(await plus.echo("still here")).toBe("still here");
    }, 180000);

    it("uses no more JsVars after the calls than after start", async () => {
      const echo = await echoClient();
      for (let i = 0; i < 20; i++) await echo.echo("x".repeat(i * 3) + "é");
      const after = (await sim.memory()).usage;
      console.log(`${id} stock: JsVars ${heapAfterStart} after start, ${after} after the calls; ${retries} retries`);
      // A few JsVars of slack: the console's own history and the bridge's subscription.
      expect(after).toBeLessThanOrEqual(heapAfterStart + 16);
    }, 300000);
  });
}

describe("thermo on every Espruino board", () => {
  for (const id of ["esp32", "puckjs", "espruino-pico"]) {
    it(`${id}: read() answers the engine's reading, or the handler's error as HandlerFailed`, async () => {
      const b = board(id);
      const built = await buildBundle({ board: id, entry: "examples/thermo", outDir: out });
      const sim = await startEspruinoSim({ board: id, bundle: new Uint8Array(readFileSync(built.path)), variant: "fixed" });
      try {
        // What the engine itself reads on this Linux build (no sensor hardware: the ADC reads 0 and
        // E.getTemperature() may be NaN), so the answer can be checked, not just received.
        const raw = Number(
          await sim.repl.evaluate(
            b.sensors.temperature === "adc" ? `analogRead(${JSON.stringify(b.sensors.adcPins[0])})` : "E.getTemperature()"
          )
        );
        const link = await openSerial(sim.url, { maxFrame: b.maxFrameBytes + 20 });
        try {
          const thermo = remote(Thermo, link, { timeoutMs: 15000 });
          const celsius = b.sensors.temperature === "adc" ? (raw * 3.3 - 0.5) * 100 : raw;
          if (celsius === celsius) {
            const r = await thermo.read("C");
            expect(r.unit).toBe("C");
            expect(r.value).toBeCloseTo(Math.fround(celsius), 3);
          } else {
            const err = await thermo.read("C").catch((e) => e);
            expect(err).toBeInstanceOf(CellError);
            expect(err.code).toBe(ErrorCode.HandlerFailed);
            expect(err.message).toContain("no temperature sensor");
          }
          expect(await thermo.setThreshold(25)).toBe(30);
        } finally {
          link.close();
        }
      } finally {
        await sim.close();
      }
    }, 300000);
  }
});

describe("a CellError thrown on Espruino", () => {
  it("reaches the caller with its code and message (esp32, 2v29 + fix)", async () => {
    const { Refuse } = await import("./fixtures/refuse");
    const built = await buildBundle({ board: "esp32", entry: "engines/espruino/fixtures/refuse.ts", outDir: out });
    const sim = await startEspruinoSim({ board: "esp32", bundle: new Uint8Array(readFileSync(built.path)), variant: "fixed" });
    try {
      const link = await openSerial(sim.url, { maxFrame: 1044 });
      try {
        const r = remote(Refuse, link, { timeoutMs: 15000 });
        expect(await r.refuse(0)).toBe("ok");
        const err = await r.refuse(ErrorCode.Overloaded).catch((e) => e);
        expect(err).toBeInstanceOf(CellError);
        expect(err.code).toBe(ErrorCode.Overloaded);
        expect(err.message).toContain("refused with " + ErrorCode.Overloaded);
      } finally {
        link.close();
      }
    } finally {
      await sim.close();
    }
  }, 300000);
});

// Calls of random sizes (test/random-text.ts: texts up to the board's max frame) on every Espruino board,
// stock and fixed: never a wrong answer; retries, timeouts and link drops are printed; JsVars do not grow.
// 1,000 calls (CELL_ESPRUINO_CALLS) on the fixed variant of every board; 100 on stock
// (CELL_ESPRUINO_STOCK_CALLS): its paced link took 0.34-0.8 s a call here (esp32: 798 ms, 20 retries
// over 1,000 calls), so 1,000 stock calls on each board would add about half an hour to CI.
const CALLS = Number(process.env.CELL_ESPRUINO_CALLS || 1000);
const STOCK_CALLS = Number(process.env.CELL_ESPRUINO_STOCK_CALLS || Math.min(CALLS, 100));

async function randomCalls(id: string, variant: EspruinoVariant, calls: number): Promise<void> {
  const b = board(id);
  const built = await buildBundle({ board: id, entry: "examples/echo", outDir: out });
  const sim = await startEspruinoSim({ board: id, bundle: new Uint8Array(readFileSync(built.path)), variant });
  try {
    const atStart = (await sim.memory()).usage;
    const pacing = boardPacing(b, variant);
    const link = await openSerial(sim.url, { maxFrame: b.maxFrameBytes + 20, pacing });
    try {
      let retries = 0;
      // A paced max frame takes its chunks' gaps to send (esp32: 1 KB at 16 B per 60 ms, ~4 s), then 4 s to answer.
      const timeoutMs = (pacing ? Math.ceil((b.maxFrameBytes + 8) / pacing.chunkBytes) * pacing.gapMs : 0) + 4000;
      const echo = remote(Echo, link, { timeoutMs, retries: 3, onRetry: () => retries++ });
      await echo.echo("warm");
      const before = (await sim.memory()).usage;
      const rnd = seededRandom(7);
      const maxBytes = maxEchoBytes(b.maxFrameBytes);
      const texts = Array.from({ length: calls }, () => randomText(rnd, maxBytes));
      let ok = 0,
        wrong = 0,
        timedOut = 0;
      const started = Date.now();
      for (const s of texts) {
        try {
          if ((await echo.echo(s)) === s) ok++;
          else wrong++;
        } catch (e) {
          if (!(e instanceof CellError) || e.code !== ErrorCode.TimedOut) throw e;
          timedOut++;
        }
      }
      const msPerCall = (Date.now() - started) / calls;
      const after = (await sim.memory()).usage;
      console.log(
        `${id} ${variant}: ${calls} calls (text 0..${maxBytes} bytes, largest ${Math.max(...texts.map((t) => Buffer.byteLength(t)))}), ${ok} right, ${wrong} wrong, ${timedOut} timed out, ${retries} retries, ${msPerCall.toFixed(0)} ms per call; JsVars ${atStart} after start, ${before} after a warm-up call, ${after} after the calls; link drops ${JSON.stringify(link.stats.drops)}`
      );
      expect(wrong).toBe(0);
      expect(ok + timedOut).toBe(calls);
      expect(after).toBeLessThanOrEqual(before + 4);
    } finally {
      link.close();
    }
  } finally {
    await sim.close();
  }
}

for (const id of ["esp32", "puckjs", "espruino-pico"]) {
  for (const variant of ESPRUINO_VARIANTS) {
    const calls = variant === "stock" ? STOCK_CALLS : CALLS;
    describe(`${id} on 2v29 ${variant}: ${calls} calls of random sizes`, () => {
      it("give no wrong answer, and JsVars do not grow", () => randomCalls(id, variant, calls), 3600000);
    });
  }
}
