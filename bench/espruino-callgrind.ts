// Espruino's cost per COMPACT echo("hello, board") call (issue 15), counted by valgrind's callgrind
// beside Duktape's on the same kind of count. valgrind's 32-bit tools do not start on this kernel, so
// both run as x86-64 builds made for this only (same flags as the board-like builds less -m32):
// HOST x86-64 INSTRUCTIONS, not Cortex-M3 ones. The Cortex-M3 figure is estimated as
// (Espruino / Duktape on the host) × Duktape's Cortex-M3 figure from bench/sim.ts (252k, in the README).
//
// Espruino: the esp32 build with the echo bundle flashed and booted as `cell sim` does
// (engines/espruino/sim.ts), the boot under callgrind, called over its link one request at a time,
// then ended by Ctrl-D so callgrind writes its counts. Two counts per call, both from runs of N and 2N
// calls, so boot, warm-up and exit cancel out:
//   - whole process: (total(2N) − total(N)) / N, which also holds the idle loop (polling while the
//     host waits for answers) and any timers (the bundle's ANNOUNCE every 10 s);
//   - the serial data event alone: the inclusive cost of jsiHandleIOEventForSerial (jsinteractive.c:
//     a data event's bytes made a string and pushed to the Serial's JS `data` handler, which decodes the
//     frame, runs echo and writes the answer), same difference: no idle loop, no timers.
// The two agree within 1% (README "Benchmarks").
// The variant is 2v29 + the upstream serial-loss fix, so a frame arrives whole, without pacing.
// Duktape: the host runner (bench/engines-callgrind.ts) with the same echo bundle built for
// qemu-mps2-an385, frames on stdin, (count for 220 − count for 20 requests) / 200.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { connect, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, loadBoard } from "../firmware/build";
import { Writer } from "../core/codec";
import { compactCodec } from "../core/codecs";
import { HEADER_SIZE, Kind, encodeHeader, readU32 } from "../core/header";
import { StreamDecoder, StreamEncoder } from "../core/stream";
import type { MethodDef } from "../core/schema";
import { Echo } from "../examples/echo/schema";
import { ensureDuktapeRunner64 } from "../engines/build";
import { startEspruinoSim } from "../engines/espruino/sim";
import type { EspruinoOptimize } from "../engines/espruino/build";
import { haveValgrind, instructionsPerRequest, type Check } from "./engines-callgrind";
import type { Tally } from "./engines-answers";
import { record } from "./measure";

var ECHO_TEXT = "hello, board";
var REQUEST_ID = 0xfffffff1;
/** Duktape's COMPACT echo call on the Cortex-M3 under QEMU -icount (bench/sim.ts, README "Benchmarks"). */
var DUKTAPE_CORTEX_M3 = 252e3;
var ESPRUINO_CALLS = 20;
/**
 * Espruino builds counted: the board-like flags (no -O: gcc's -O0, as upstream's LINUX.py), the
 * ESP32's own -Og, and the Cortex-M boards' (Pico, Puck.js) -Os, which the Duktape runner and firmware
 * also use: that last ratio is the like-for-like one the Cortex-M3 estimate takes.
 */
var OPTIMIZE: EspruinoOptimize[] = ["", "-Og", "-Os"];

/** A whole echo.echo(ECHO_TEXT) request frame in COMPACT. */
export function echoRequest(): Uint8Array {
  var w = new Writer(64);
  w.reset(HEADER_SIZE);
  compactCodec.encode((Echo.info.echo.def as MethodDef).req, ECHO_TEXT, w);
  var frame = w.buf.slice(0, w.pos);
  var header = { kind: Kind.Request, flags: 0, codec: compactCodec.id, cellId: Echo.id, methodId: Echo.info.echo.id };
  encodeHeader({ ...header, requestId: REQUEST_ID, length: w.pos - HEADER_SIZE }, frame, 0);
  return frame;
}

/** Counts the COMPACT answers to echoRequest() and checks one says ECHO_TEXT. */
export var echoCheck: Check = {
  start(): Tally {
    var answers = 0;
    var others = 0;
    var sample: Uint8Array | null = null;
    return {
      onFrame(frame) {
        if (frame.length < HEADER_SIZE || readU32(frame, 12) !== REQUEST_ID) return;
        if ((frame[2] & 15) !== Kind.Response || frame[3] !== compactCodec.id) others++;
        else if (answers++ === 0) sample = frame.slice(HEADER_SIZE);
      },
      expect(count) {
        if (others) throw new Error(`bench: ${others} of the ${count} echo calls were answered with an error or in another codec`);
        if (answers !== count) throw new Error(`bench: ${count} echo calls sent, ${answers} answered`);
        var got = count ? compactCodec.decode((Echo.info.echo.def as MethodDef).res, sample!) : ECHO_TEXT;
        if (got !== ECHO_TEXT) throw new Error(`bench: echo answered ${JSON.stringify(got)}`);
      }
    };
  }
};

/** Inclusive instructions of `fn` in a callgrind output (0 when it never ran). */
function inclusive(out: string, fn: string): number {
  var r = spawnSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", out], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`callgrind_annotate failed: ${r.stderr}`);
  var line = r.stdout.split("\n").find((l) => new RegExp(`:${fn} `).test(l));
  return line ? Number(line.trim().split(/\s+/)[0].replace(/,/g, "")) : 0;
}

/** One Espruino run of `count` echo calls under callgrind: its total and its serial events' instructions. */
export async function espruinoRun(
  bundle: Uint8Array,
  dir: string,
  count: number,
  optimize: EspruinoOptimize
): Promise<{ total: number; serial: number }> {
  var out = join(dir, `callgrind.espruino${optimize}.${count}.out`);
  var sim = await startEspruinoSim({
    board: "esp32",
    variant: "fixed",
    arch: "x86-64",
    optimize,
    bundle,
    wrap: ["valgrind", "--tool=callgrind", "-q", `--callgrind-out-file=${out}`]
  });
  var sock: Socket | null = null;
  try {
    var maxFrame = loadBoard("esp32").maxFrameBytes as number;
    var decoder = new StreamDecoder(maxFrame + 8);
    var tally = echoCheck.start();
    var answered = 0;
    var wake: (() => void) | null = null;
    sock = connect(sim.port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => sock!.once("connect", () => resolve()).once("error", reject));
    sock.on("data", (b: Buffer) =>
      decoder.feed(new Uint8Array(b.buffer, b.byteOffset, b.length), (f) => {
        tally.onFrame(f);
        if (f.length >= HEADER_SIZE && readU32(f, 12) === REQUEST_ID) answered++;
        if (wake) wake();
      })
    );
    var wire = Buffer.from(new StreamEncoder(maxFrame + 8).encode(echoRequest()));
    for (var i = 0; i < count; i++) {
      var want = i + 1;
      var timer: NodeJS.Timeout | undefined;
      sock.write(wire);
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`espruino under callgrind: echo call ${want} of ${count} unanswered after 60 s`)), 60000);
        wake = () => answered >= want && resolve();
        wake();
      });
      clearTimeout(timer);
    }
    tally.expect(count);
    var code = await sim.quit();
    if (code !== 0) throw new Error(`espruino under callgrind exited with ${code}`);
    var m = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(out, "utf8"));
    if (!m) throw new Error("no instruction total in " + out);
    return { total: Number(m[1]), serial: inclusive(out, "jsiHandleIOEventForSerial") };
  } finally {
    if (sock) sock.destroy();
    await sim.close();
  }
}

export async function runEspruinoCallgrind(): Promise<string[]> {
  if (!haveValgrind()) return ["Espruino instructions per echo call: skipped (no valgrind; apt-get install -y valgrind)"];
  var dir = mkdtempSync(join(tmpdir(), "cell-bench-espruino-callgrind-"));
  try {
    var esp = await buildBundle({ board: "esp32", entry: "examples/echo", outDir: join(dir, "esp32") });
    var qemu = await buildBundle({ board: "qemu-mps2-an385", entry: "examples/echo", outDir: join(dir, "qemu") });
    var qemuBoard = loadBoard("qemu-mps2-an385");
    // 64-bit Duktape objects are larger than the board's: its heap cap is 4x the board's RAM.
    var duk = await instructionsPerRequest(
      { bundle: qemu.path, maxFrame: qemuBoard.maxFrameBytes as number, heapLimit: 4 * (qemuBoard.ramBytes as number) },
      echoRequest(),
      echoCheck,
      20,
      220,
      ensureDuktapeRunner64()
    );
    var bundle = new Uint8Array(readFileSync(esp.path));
    var k = (n: number) => `${Math.round(n / 100) / 10}k`;
    var lines = [
      `COMPACT echo("${ECHO_TEXT}") per call, HOST x86-64 instructions under callgrind (64-bit builds made for valgrind; not Cortex-M3): ` +
        `Duktape ${k(duk.perRequest)} (host runner, duktape.c at -Os, echo bundle for qemu-mps2-an385: the whole device path, C COBS + CRC + text natives included; ` +
        `(220 − 20 calls) / 200)`
    ];
    var estimate = 0;
    for (var optimize of OPTIMIZE) {
      // One at a time: the machine has two cores, and a run's wall time is part of its whole-process count.
      var low = await espruinoRun(bundle, dir, ESPRUINO_CALLS, optimize);
      var high = await espruinoRun(bundle, dir, 2 * ESPRUINO_CALLS, optimize);
      var whole = (high.total - low.total) / ESPRUINO_CALLS;
      var serial = (high.serial - low.serial) / ESPRUINO_CALLS;
      var ratio = serial / duk.perRequest;
      var flags = optimize ? "+ " + optimize : "alone: no -O, i.e. -O0";
      if (optimize === "-Os") estimate = ratio * DUKTAPE_CORTEX_M3;
      record({
        name: `COMPACT echo call, host x86-64 instructions under callgrind: Espruino 2v29 (esp32 build, board-like flags ${flags}) vs Duktape (-Os)`,
        baseline: "Duktape host runner, echo bundle for qemu-mps2-an385, (220 − 20 calls) / 200",
        candidate: `Espruino, serial data events (jsiHandleIOEventForSerial inclusive), (${2 * ESPRUINO_CALLS} − ${ESPRUINO_CALLS} calls) / ${ESPRUINO_CALLS}`,
        ratio,
        of: "size",
        values: {
          duktapeX64: Math.round(duk.perRequest),
          espruinoX64Serial: Math.round(serial),
          espruinoX64WholeProcess: Math.round(whole),
          ...(optimize === "-Os" ? { espruinoCortexM3Estimate: Math.round(estimate) } : {})
        }
      });
      lines.push(
        `Espruino 2v29, esp32 build (board-like flags ${flags}): ${k(serial)} in its serial data events (jsiHandleIOEventForSerial inclusive: ` +
          `COBS, frame, codec and echo in JS, CRC by E.CRC32, answer written), ${k(whole)} for the whole process (idle loop and timers included); ` +
          `(${2 * ESPRUINO_CALLS} − ${ESPRUINO_CALLS} calls) / ${ESPRUINO_CALLS} → ${ratio.toFixed(1)}x Duktape's`
      );
    }
    lines.push(
      `Espruino on a Cortex-M3, ESTIMATED as (Espruino -Os / Duktape -Os on x86-64) × Duktape's ${k(DUKTAPE_CORTEX_M3)} Cortex-M3 instructions ` +
        `(bench/sim.ts, QEMU -icount): ~${k(estimate)} per call (an estimate: two interpreters' ratio on x86-64 need not hold on Thumb-2)`
    );
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && /bench\/espruino-callgrind\.ts$/.test(process.argv[1])) {
  runEspruinoCallgrind().then(
    (lines) => console.log(lines.join("\n")),
    (e) => {
      console.error(e.message);
      process.exitCode = 1;
    }
  );
}
