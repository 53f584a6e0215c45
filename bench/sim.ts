// The simulated boards (issue 4; issue 11: both QEMU firmwares, Duktape and JerryScript): cost of a small
// request per codec and of an echo call in guest instructions, the JS heap after start, after an echo
// session and at peak, and the wall time from starting QEMU to the first answered request.
//
// Instructions: QEMU runs with `-icount shift=0`, so board time advances exactly one virtual ns per
// guest instruction while the CPU is busy. The bench bundle (bench/replay-sim.ts = thermo + echo + a replay
// cell) feeds one `thermo.read("C")` request frame through the board's own frame path N times in a
// tight loop (frame copy, endpoint, codec decode, handler, codec encode, sim.sendFrame: CRC-32 + COBS
// + UART transmit in C) and answers the board time it took: ms × 10^6 / N = instructions per request.
// Not included: the UART receive interrupt and the C decoding of the request's COBS + CRC.
// For contrast, "end to end" divides the board's uptime delta (loader status) over N pipelined calls
// from the host; it also counts the board idling while QEMU delivers UART bytes, so it varies with
// the host and is an upper bound, not a count.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildFirmware, SIM_BOARDS } from "../sim/firmware-build";
import { startSim, SimSession } from "../sim/session";
import { bundleImage } from "../sim/qemu";
import { loadSimBundle } from "../sim/bundle";
import { remote } from "../core/host/remote";
import { Writer } from "../core/codec";
import type { Codec } from "../core/codec";
import { HEADER_SIZE, Kind, encodeHeader } from "../core/header";
import { crc32 } from "../core/crc32";
import { compactCodec, jsonCodec, msgpackCodec } from "../core/codecs";
import { Thermo, Unit } from "../examples/thermo/schema";
import { Echo } from "../examples/echo/schema";
import { Replay } from "./replay-schema";
import { Phases } from "./phases-schema";
import { StreamEncoder } from "../core/stream";
import { record } from "./measure";

var REPLAYS = 500;
var PIPELINED = 200;
var BOOT_RUNS = 3;
var ECHO_TEXT = "hello, board";

function median(xs: number[]): number {
  var s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** A whole thermo.read("C") request frame in `codec` (its id is one no host call uses). */
function readFrame(codec: Codec): Uint8Array {
  var w = new Writer(64);
  w.reset(HEADER_SIZE);
  codec.encode(Unit, "C", w);
  var frame = w.buf.slice(0, w.pos);
  encodeHeader(
    {
      kind: Kind.Request,
      flags: 0,
      codec: codec.id,
      cellId: Thermo.id,
      methodId: Thermo.info.read.id,
      requestId: 0xfffffff0,
      length: w.pos - HEADER_SIZE
    },
    frame,
    0
  );
  return frame;
}

/** A whole echo.echo(ECHO_TEXT) request frame in COMPACT (kind Response: its answer). */
function echoFrame(kind: number = Kind.Request): Uint8Array {
  var w = new Writer(64);
  w.reset(HEADER_SIZE);
  compactCodec.encode((Echo.info.echo.def as { req: any }).req, ECHO_TEXT, w);
  var frame = w.buf.slice(0, w.pos);
  encodeHeader(
    {
      kind,
      flags: 0,
      codec: compactCodec.id,
      cellId: Echo.id,
      methodId: Echo.info.echo.id,
      requestId: 0xfffffff1,
      length: w.pos - HEADER_SIZE
    },
    frame,
    0
  );
  return frame;
}

/** The JS heap figures of the last boot banner on the console: after the bundle's top level ran. */
function bannerHeap(sim: SimSession): { used: number; peak: number; size: number } {
  var all = [...sim.board.console().matchAll(/heap=(\d+) used=(\d+) peak=(\d+)/g)];
  var m = all[all.length - 1];
  return { size: +m[1], used: +m[2], peak: +m[3] };
}

async function bootTimes(board: string, storeImage: string): Promise<string[]> {
  var loaderMs: number[] = [];
  var readMs: number[] = [];
  for (var i = 0; i < BOOT_RUNS; i++) {
    var t0 = Date.now();
    var sim = await startSim({ build: false, board });
    try {
      await sim.loader.status({ timeoutMs: 20000 });
      loaderMs.push(Date.now() - t0);
    } finally {
      await sim.close();
    }
    t0 = Date.now();
    sim = await startSim({ build: false, board, storeImage });
    try {
      await remote(Thermo, sim.link, { timeoutMs: 20000 }).read("C");
      readMs.push(Date.now() - t0);
    } finally {
      await sim.close();
    }
  }
  return [
    `QEMU start → first answer (wall clock, median of ${BOOT_RUNS}):`,
    `  loader status, no bundle:                         ${median(loaderMs)} ms`,
    `  thermo.read, bundle preloaded in the store:       ${median(readMs)} ms (boot + the engine compiling and starting the bundle)`
  ];
}

/** Every QEMU firmware, one after the other (`boards` limits them). */
export async function runSim(boards?: string[]): Promise<string[]> {
  var lines: string[] = [];
  for (var board of boards || SIM_BOARDS) {
    lines.push(`--- ${board}`);
    lines.push(...(await runSimBoard(board)));
  }
  return lines;
}

async function runSimBoard(board: string): Promise<string[]> {
  var coldStart = Date.now();
  var fw = await buildFirmware(board, { log: () => {} });
  var buildMs = Date.now() - coldStart;
  var cachedStart = Date.now();
  await buildFirmware(board, { log: () => {} });
  var cachedMs = Date.now() - cachedStart;
  var dir = mkdtempSync(join(tmpdir(), "cell-bench-sim-"));
  var sim: SimSession | null = null;
  try {
    var bundle = await loadSimBundle(join(dirname(fileURLToPath(import.meta.url)), "replay-sim.ts"), board, { outDir: dir });
    var lines = [
      `firmware ${fw.elf.replace(/.*\//, "")}: text ${fw.sizes.text}, data ${fw.sizes.data}, bss ${fw.sizes.bss} bytes; build ${fw.rebuilt ? "(rebuilt) " + buildMs : "(up to date) " + buildMs} ms, then cached ${cachedMs} ms`,
      `bench bundle: thermo + echo + replay cell, ${bundle.bytes.length} bytes`
    ];

    var t0 = Date.now();
    sim = await startSim({ build: false, board, icount: 0 });
    await sim.loader.flash(bundle.bytes);
    var thermo = remote(Thermo, sim.link, { timeoutMs: 60000 });
    await thermo.read("C");
    lines.push(
      `QEMU start → flashed (${bundle.bytes.length} bytes) → first thermo.read answered: ${Date.now() - t0} ms wall clock (-icount shift=0)`
    );
    var started = bannerHeap(sim);
    lines.push(`JS heap after start: ${started.used} bytes in use of ${started.size} (peak while compiling and starting: ${started.peak})`);
    var echo = remote(Echo, sim.link, { timeoutMs: 60000 });
    await Promise.all(Array.from({ length: PIPELINED }, (_, i) => echo.echo(ECHO_TEXT + " " + i)));
    lines.push(
      `JS heap peak after an echo session (${PIPELINED} pipelined echo.echo calls, loader status): ${(await sim.loader.status()).heapPeak} of ${started.size} bytes`
    );

    var replay = remote(Replay, sim.link, { timeoutMs: 60000 });
    lines.push(
      `per small request (thermo.read("C") → {unit, value}), -icount shift=0: guest instructions (in-guest replay of ${REPLAYS}, median of 3) | end to end over ${PIPELINED} pipelined calls`
    );
    for (var [name, codec] of [
      ["COMPACT", compactCodec],
      ["JSON", jsonCodec],
      ["MSGPACK", msgpackCodec]
    ] as [string, Codec][]) {
      var frame = readFrame(codec);
      var runs: number[] = [];
      for (var r = 0; r < 3; r++) runs.push((await replay.run({ frame, count: REPLAYS })).ms);
      var instructions = (median(runs) * 1e6) / REPLAYS;
      var before = await sim.loader.status();
      await Promise.all(Array.from({ length: PIPELINED }, () => thermo.read("C", { codec: codec.id })));
      var after = await sim.loader.status();
      var e2e = ((after.uptimeMs - before.uptimeMs) * 1e6) / PIPELINED;
      record({
        section: "sim (issue 4)",
        name: `${board}: device instructions of a ${name} thermo.read("C") vs a COMPACT echo call's goal`,
        baseline: "80k instructions (25% of an echo call's wire time at 115200 baud, 64 MHz)",
        candidate: "guest instructions (-icount shift=0, in-guest replay)",
        ratio: instructions / 80e3,
        of: "share",
        values: { instructions: Math.round(instructions), e2eNs: Math.round(e2e) }
      });
      lines.push(
        `  ${name.padEnd(8)} ${Math.round(instructions / 1000)}k instructions (runs ${runs.join("/")} ms)  | ${Math.round(e2e / 1000)} µs virtual; request frame ${frame.length} bytes`
      );
    }
    var echoRuns: number[] = [];
    for (var e = 0; e < 3; e++) echoRuns.push((await replay.run({ frame: echoFrame(), count: REPLAYS })).ms);
    var echoInstructions = (median(echoRuns) * 1e6) / REPLAYS;
    // The baseline is the call's time on the wire: request and answer (the same size: echo), COBS +
    // CRC + delimiter, 10 bits a byte at 115200 baud; the device's time is its instructions at 64 MHz.
    var wireMs = (2 * new StreamEncoder(64).encode(echoFrame()).length * 10 * 1000) / 115200;
    var deviceMs = echoInstructions / 64e3;
    record({
      section: "sim (issue 4)",
      name: `${board}: device time of a COMPACT echo call vs its frames' time on the wire`,
      baseline: "request + answer at 115200 baud",
      candidate: "guest instructions at 64 MHz (-icount shift=0)",
      ratio: deviceMs / wireMs,
      of: "share",
      goal: { kind: "atMost", ratio: 0.25 },
      values: { instructions: Math.round(echoInstructions), deviceMs, wireMs }
    });
    lines.push(
      `  echo.echo(${JSON.stringify(ECHO_TEXT)}) COMPACT: ${Math.round(echoInstructions / 1000)}k instructions (runs ${echoRuns.join("/")} ms) = ${deviceMs.toFixed(2)} ms at 64 MHz, ${((100 * deviceMs) / wireMs).toFixed(0)}% of the call's ${wireMs.toFixed(2)} ms on the wire at 115200 baud (goal ≤ 25%)`
    );
    // Where the echo call's instructions go: each piece looped on the board (bench/phases.ts).
    var phaseRuns = await remote(Phases, sim.link, { timeoutMs: 60000 }).run({
      frame: echoFrame(),
      answer: echoFrame(Kind.Response),
      text: ECHO_TEXT,
      count: REPLAYS
    });
    var per = phaseRuns.map((ms) => (ms * 1e6) / REPLAYS);
    var rest = echoInstructions - per.slice(0, 4).reduce((a, b) => a + b, 0);
    var k = (v: number) => `${(v / 1000).toFixed(1)}k`;
    lines.push(
      `  echo call by phase: frame copy ${k(per[0])}, COMPACT decode ${k(per[1])}, COMPACT encode ${k(per[2])}, sim.sendFrame (CRC + COBS + UART in C) ${k(per[3])}, the rest ${k(rest)}: of it, receive (frame link, header parse, lookups) ${k(per[4])}, handler ${k(per[5])}, and ${k(rest - per[4] - per[5])} for checks, context, answer, header write and send`
    );
    record({
      section: "sim (issue 4)",
      name: `${board}: COMPACT echo call, guest instructions by phase`,
      baseline: "the whole call",
      candidate: "codec decode + encode",
      ratio: (per[1] + per[2]) / echoInstructions,
      of: "share",
      values: {
        copy: Math.round(per[0]),
        decode: Math.round(per[1]),
        encode: Math.round(per[2]),
        send: Math.round(per[3]),
        rest: Math.round(rest),
        receive: Math.round(per[4]),
        handler: Math.round(per[5])
      }
    });
    var end = await sim.loader.status();
    lines.push(`JS heap peak over the whole run (loader status): ${end.heapPeak} of ${end.heapSize} bytes`);

    var image = join(dir, "store.bin");
    writeFileSync(
      image,
      bundleImage(bundle.bytes, crc32(bundle.bytes), new Uint8Array(createHash("sha256").update(bundle.bytes).digest()))
    );
    await sim.close();
    sim = null;
    lines.push(...(await bootTimes(board, image)));
    return lines;
  } finally {
    if (sim) await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && /bench\/sim\.ts$/.test(process.argv[1])) {
  // `tsx bench/sim.ts [board...]`: only those boards.
  runSim(process.argv.length > 2 ? process.argv.slice(2) : undefined).then(
    (lines) => console.log(lines.join("\n")),
    (e) => {
      console.error(e.message);
      process.exitCode = 1;
    }
  );
}
