// Duktape instructions per request, counted by valgrind's callgrind: deterministic, unlike times.
// The host Duktape runner (engines, its command line as the README there gives it) runs the bench
// bundle on a virtual clock under callgrind; its stdin gets K stream-encoded copies of one request frame
// and then end of input, so the process answers them and exits. The count for K1 and for K2 requests
// differ only by the K2 − K1 requests, so (total(K2) − total(K1)) / (K2 − K1) is the cost of one:
// start-up, the first requests' warm-up and the exit cancel out. It is the whole device path: COBS +
// CRC decode in C, the JS frame path, handler, encode, COBS + CRC encode in C and the write(2) call.
// x86-32 instructions, not Cortex-M3 ones (bench/sim.ts counts those under QEMU).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDuktapeRunner64 } from "../engines/build";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import type { Tally } from "./engines-answers";

/** What checks the answers of a run: AnswerCheck, or any other kind of request's check. */
export interface Check {
  start(): Tally;
}

export interface CallgrindSetup {
  bundle: string;
  maxFrame: number;
  heapLimit: number;
}

export function haveValgrind(): boolean {
  return spawnSync("valgrind", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Instructions (Ir) the runner executed for `count` copies of `frame`; checks every one was answered. */
function countOnce(s: CallgrindSetup, runner: string, dir: string, frame: Uint8Array, count: number, check: Check): Promise<number> {
  var out = join(dir, `callgrind.${count}.codec${frame[3]}.out`);
  var args = ["--tool=callgrind", "-q", `--callgrind-out-file=${out}`, runner, "--personality", "sim", "--clock", "virtual"];
  args.push("--heap-limit", String(s.heapLimit), "--max-frame", String(s.maxFrame));
  args.push(s.bundle);
  return new Promise((resolve, reject) => {
    var child = spawn("valgrind", args, { stdio: ["pipe", "pipe", "pipe"] });
    var decoder = new StreamDecoder(s.maxFrame);
    var answered = check.start();
    var stderr = "";
    child.stdout.on("data", (b: Buffer) => decoder.feed(new Uint8Array(b.buffer, b.byteOffset, b.length), answered.onFrame));
    child.stderr.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0)
        return reject(
          new Error(`callgrind run of the Duktape runner exited with ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`)
        );
      try {
        answered.expect(count);
        var m = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(out, "utf8"));
        if (!m) throw new Error("no instruction total in " + out);
        resolve(Number(m[1]));
      } catch (e) {
        reject(e);
      }
    });
    // Everything at once, before the runner (slowed down by valgrind) starts reading: the same reads
    // every time, so counts repeat exactly.
    var encoder = new StreamEncoder(s.maxFrame);
    var one = Buffer.from(encoder.encode(frame));
    child.stdin.on("error", () => {}); // an early exit is reported by the exit code
    child.stdin.end(Buffer.concat(Array.from({ length: count }, () => one)));
  });
}

/** Instructions per request for `frame`, from runs of `low` and `high` requests (in parallel: 2 cores). */
export async function instructionsPerRequest(
  s: CallgrindSetup,
  frame: Uint8Array,
  check: Check,
  low = 20,
  high = 220,
  runner = ensureDuktapeRunner64()
): Promise<{ perRequest: number; low: number; high: number }> {
  var dir = mkdtempSync(join(tmpdir(), "cell-bench-callgrind-"));
  try {
    var [a, b] = await Promise.all([countOnce(s, runner, dir, frame, low, check), countOnce(s, runner, dir, frame, high, check)]);
    return { perRequest: (b - a) / (high - low), low: a, high: b };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
