// The device engines (issue 3): what one small request costs inside Duktape and QuickJS, per codec,
// next to the same request handled by the host core in Node.
//
// The request is thermo.read("C") → { unit, value }. The bench bundle (bench/replay.ts: thermo +
// a replay cell, built for qemu-mps2-an385, which carries COMPACT, JSON and MSGPACK) runs unmodified in
// each engine under the sim firmware's personality; its replay cell feeds the request frame N times
// through the bundle's own frame path (frame copy → endpoint → codec decode → handler → codec encode →
// sim.sendFrame: CRC-32 + COBS) and answers the time on the engine's clock, so the pipe to the engine
// and the call that starts the loop stay outside the figure. In Node the same loop runs over the host
// core (core/host serve, framing with core's StreamEncoder) and over the same bundle on V8. Sides run
// in many short alternating rounds and the best round counts: on a shared machine, load only ever
// adds time, and it comes and goes within a round, so the least-disturbed round is the steadiest
// figure (the median is shown beside it). Every timed request is checked to have been answered right.
//
// Times move with the machine; with valgrind installed, Duktape is also counted in instructions
// (bench/engines-callgrind.ts), which repeat to the instruction.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle, loadBoard } from "../firmware/build";
import type { Codec } from "../core/codec";
import { compactCodec, jsonCodec, msgpackCodec } from "../core/codecs";
import { AnswerCheck, readRequest, type Tally } from "./engines-answers";
import { deviceEngine, type DeviceRig } from "./engines-device";
import { hostCore, deviceBundle } from "./engines-node";
import { haveValgrind, instructionsPerRequest } from "./engines-callgrind";

var BOARD = "qemu-mps2-an385";
var CODECS: [string, Codec][] = [
  ["COMPACT", compactCodec],
  ["JSON", jsonCodec],
  ["MSGPACK", msgpackCodec]
];
var ROUNDS = 15;

interface Side {
  name: string;
  short: string;
  run(frame: Uint8Array, count: number, tally: Tally): Promise<number> | number;
  /** Wall time one round should take, and the size of the warm-up and calibration runs. */
  roundMs: number;
  warmup: number;
  failed?: string;
}

interface Figures {
  /** ns per request, one per round. */
  ns: number[];
}

function median(xs: number[]): number {
  var s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** µs, three significant digits. */
function us(ns: number): string {
  var v = ns / 1000;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function spread(f: Figures | undefined): string {
  return f ? `${us(Math.min(...f.ns))} [${us(median(f.ns))}]` : "failed";
}

/** Rows of cells as aligned, indented text lines. */
function columns(rows: string[][]): string {
  var widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map(
      (r) =>
        "  " +
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join("   ")
          .trimEnd()
    )
    .join("\n");
}

async function timed(side: Side, frame: Uint8Array, count: number, check: AnswerCheck): Promise<number> {
  var tally = check.start();
  var ms = await side.run(frame, count, tally);
  tally.expect(count);
  return (ms * 1e6) / count;
}

/** Calibrates each side to its round time, then runs ROUNDS alternating rounds; a side that fails is reported, not fatal. */
async function measureCodec(sides: Side[], frame: Uint8Array, codec: Codec): Promise<Map<Side, Figures>> {
  var check = new AnswerCheck(codec);
  var counts = new Map<Side, number>();
  var figures = new Map<Side, Figures>();
  for (var side of sides) {
    if (side.failed) continue;
    try {
      // The first run warms up (JIT, caches, heap growth); the second sizes the rounds.
      await timed(side, frame, side.warmup, check);
      var n = Math.round((side.roundMs * 1e6) / (await timed(side, frame, side.warmup, check)));
      counts.set(side, Math.min(Math.max(n, 20), 200000));
      figures.set(side, { ns: [] });
    } catch (e) {
      side.failed = (e as Error).message;
    }
  }
  for (var r = 0; r < ROUNDS; r++) {
    // Alternate the order, so no side always runs right after the same neighbour.
    var order = r & 1 ? sides.slice().reverse() : sides;
    for (var s of order) {
      if (s.failed) continue;
      try {
        figures.get(s)!.ns.push(await timed(s, frame, counts.get(s)!, check));
      } catch (e) {
        s.failed = (e as Error).message;
      }
    }
  }
  for (var s2 of sides) if (s2.failed) figures.delete(s2);
  return figures;
}

/** a's best round over b's best round. */
function bestRatio(a: Figures | undefined, b: Figures | undefined): string {
  if (!a || !b) return "n/a";
  var m = Math.min(...a.ns) / Math.min(...b.ns);
  return (m >= 10 ? m.toFixed(0) : m.toFixed(1)) + "x";
}

export async function runEngines(): Promise<string[]> {
  var started = Date.now();
  var board = loadBoard(BOARD);
  var dir = mkdtempSync(join(tmpdir(), "cell-bench-engines-"));
  var rigs: { close(): void }[] = [];
  try {
    var t0 = Date.now();
    var built = await buildBundle({ board: BOARD, entry: join(dirname(fileURLToPath(import.meta.url)), "replay.ts"), outDir: dir });
    var buildMs = Date.now() - t0;
    var maxFrame = board.maxFrameBytes as number;
    var heapLimit = board.ramBytes as number;
    var lines = [
      `bench bundle: thermo + replay cell for ${BOARD} (codecs ${built.codecs.join(", ")}), ${built.bytes} bytes; run unmodified under the sim personality, Duktape's heap capped at the board's ${heapLimit} bytes`
    ];

    var sides: Side[] = [];
    var engines: [string, DeviceRig | null][] = [];
    for (var [engine, name] of [
      ["duktape", "Duktape"],
      ["quickjs", "QuickJS"]
    ] as const) {
      try {
        // QuickJS's memory limit is no faithful heap cap (typed arrays get past it): none, as in the tests.
        var rig = await deviceEngine(engine, { bundle: built.path, maxFrame, heapLimit: engine === "duktape" ? heapLimit : undefined });
        rigs.push(rig);
        engines.push([name, rig]);
        sides.push({ name, short: name, run: rig.run, roundMs: 40, warmup: 100 });
      } catch (e) {
        engines.push([name, null]);
        lines.push(`${name}: could not start: ${(e as Error).message}`);
      }
    }
    var core = hostCore(maxFrame);
    var v8 = deviceBundle(built.path, maxFrame);
    rigs.push(core, v8);
    var coreSide: Side = { name: "host core (Node)", short: "host core", run: core.run, roundMs: 10, warmup: 20000 };
    var v8Side: Side = { name: "same bundle on V8", short: "bundle on V8", run: v8.run, roundMs: 10, warmup: 20000 };
    sides.push(coreSide, v8Side);
    var engineSides = sides.filter((s) => s !== coreSide && s !== v8Side);

    var table = [["codec", "frame", ...sides.map((s) => s.name)]];
    var ratioTable = [["codec", ...engineSides.flatMap((s) => [`${s.short} / host core`, `${s.short} / bundle on V8`])]];
    for (var [label, codec] of CODECS) {
      var frame = readRequest(codec);
      var figs = await measureCodec(sides, frame, codec);
      table.push([label, `${frame.length} B`, ...sides.map((s) => spread(figs.get(s)))]);
      ratioTable.push([
        label,
        ...engineSides.flatMap((s) => [bestRatio(figs.get(s), figs.get(coreSide)), bestRatio(figs.get(s), figs.get(v8Side))])
      ]);
    }
    lines.push(
      `per small request, thermo.read("C") → {unit, value}: one request frame fed N times through each side's frame path ` +
        `(copy → endpoint → decode → handler → encode → CRC-32 + COBS); µs per request, best of ${ROUNDS} alternating rounds [median]\n` +
        columns(table)
    );
    lines.push(`engine time / Node time, best rounds\n` + columns(ratioTable));
    for (var s of sides) if (s.failed) lines.push(`${s.name} failed: ${s.failed}`);

    for (var [name2, rig2] of engines) {
      if (!rig2) continue;
      var h = rig2.heap();
      lines.push(
        `${name2} heap: ${rig2.started.used} bytes in use after start (${rig2.started.peak} peak while starting), ` +
          `${h.peak} peak over the bench${h.limit ? ` of the ${h.limit}-byte cap` : " (no cap)"}`
      );
    }
    for (var r of rigs.splice(0)) r.close();

    lines.push(...(await instructionLines({ bundle: built.path, maxFrame, heapLimit })));
    lines.push(
      "notes: QuickJS is quickjs-emscripten (WebAssembly), and each sim.sendFrame and clock read crosses into Node " +
        "(bytes copied out, CRC-32 + COBS in JS), so its figure carries that bridge; Duktape's natives are C, as on the board. " +
        "The host core and the bundle on V8 are JIT-compiled after warm-up. " +
        `(bundle build ${buildMs} ms, this section ${Date.now() - started} ms in all)`
    );
    return lines;
  } finally {
    for (var r2 of rigs) r2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function instructionLines(setup: { bundle: string; maxFrame: number; heapLimit: number }): Promise<string[]> {
  if (!haveValgrind()) return ["Duktape instructions per request: skipped (no valgrind; apt-get install -y valgrind)"];
  var parts: string[] = [];
  try {
    for (var [label, codec] of CODECS) {
      var c = await instructionsPerRequest(setup, readRequest(codec), new AnswerCheck(codec));
      parts.push(`${label} ${Math.round(c.perRequest / 100) / 10}k`);
    }
  } catch (e) {
    parts.push(`failed: ${(e as Error).message}`);
  }
  return [
    `Duktape instructions per request (callgrind on the x86-64 runner: valgrind cannot run the 32-bit one on every kernel; virtual clock; (count for 220 − count for 20 requests) / 200; ` +
      `the whole device path, C COBS + CRC both ways included): ${parts.join(", ")}`
  ];
}

if (process.argv[1] && /bench\/engines\.ts$/.test(process.argv[1])) {
  runEngines().then(
    (lines) => console.log(lines.join("\n")),
    (e) => {
      console.error(e.message);
      process.exitCode = 1;
    }
  );
}
