// Issue 15: the QUIC stacks on npm side by side against UDP through the bridge, on loopback. Every side
// carries the same 24-byte request frame (header + a COMPACT u32) and waits for its answer: the baseline
// is a ping call from a UDP client through the bridge to an in-process device; each QUIC stack echoes the
// frame on one bidirectional stream (bench/quic-stacks.ts); the project's own path, the baseline's call
// through the bridge over transports/quic, is measured the same way. Each candidate runs in a process of
// its own (a native stack may hang on to handles, or crash), with its client, server and baseline in that
// one process, baseline and candidate in alternating rounds. Stacks not installed are skipped with the
// reason; `CELL_QUIC_CANDIDATES=/tmp/quicbench npm run bench -- quic` measures stacks installed there.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSocket } from "node:dgram";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loopbackPair } from "../core/loopback";
import { serve } from "../core/host/serve";
import { announce } from "../core/rpc/announce";
import { createBridge } from "../host-bridge";
import { Bench, bridged, framePinger } from "./bridge";
import { STACKS, loadStack, findPackage, EchoClient } from "./quic-stacks";
import { record } from "./measure";

type Op = () => Promise<unknown>;
const WINDOW = 32;
const ROUNDS = 3;
const LATENCY_OPS = 300;
const THROUGHPUT_OPS = 600;
const OP_TIMEOUT_MS = 10000;

interface Figures {
  medianNs: number;
  p99Ns: number;
  perSec1: number;
  perSec32: number;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[xs.length >> 1];
const p99 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];

function withTimeout(op: Op, what: string): Op {
  return () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: no answer in ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS);
      op().then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e) => (clearTimeout(timer), reject(e))
      );
    });
}

async function roundTrips(op: Op, n: number): Promise<number[]> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await op();
    xs.push(Number(process.hrtime.bigint() - t0));
  }
  return xs;
}

/** Requests per second with `window` kept in flight. */
async function perSecond(op: Op, n: number, window: number): Promise<number> {
  let left = n;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (left-- > 0) await op();
    })
  );
  return (n * 1e9) / Number(process.hrtime.bigint() - t0);
}

/** Alternating rounds of baseline and candidate: pooled round trips, median requests/s of the rounds. */
async function sideBySide(base: Op, cand: Op): Promise<[Figures, Figures]> {
  await perSecond(base, THROUGHPUT_OPS, WINDOW); // warm-up
  await perSecond(cand, THROUGHPUT_OPS, WINDOW);
  const lat: [number[], number[]] = [[], []];
  const one: [number[], number[]] = [[], []];
  const many: [number[], number[]] = [[], []];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, op] of [base, cand].entries()) {
      lat[i].push(...(await roundTrips(op, LATENCY_OPS)));
      one[i].push(await perSecond(op, THROUGHPUT_OPS / 2, 1));
      many[i].push(await perSecond(op, THROUGHPUT_OPS, WINDOW));
    }
  }
  const fig = (i: number): Figures => ({
    medianNs: median(lat[i]),
    p99Ns: p99(lat[i]),
    perSec1: median(one[i]),
    perSec32: median(many[i])
  });
  return [fig(0), fig(1)];
}

const us = (ns: number) => (ns / 1000).toFixed(1) + " µs";
const rate = (x: number) => Math.round(x).toLocaleString("en-US") + "/s";

function report(name: string, note: string, base: Figures, c: Figures): string {
  const latRatio = c.medianNs / base.medianNs;
  const tputRatio = base.perSec32 / c.perSec32; // time per request, candidate over baseline
  record({
    section: "quic (issue 15)",
    name: `${name}: round trip, one at a time (median), vs UDP through the bridge`,
    baseline: "UDP through the bridge",
    candidate: name,
    ratio: latRatio,
    of: "time",
    goal: { kind: "atMost", ratio: 2 },
    values: { baselineNs: base.medianNs, candidateNs: c.medianNs, candidateP99Ns: c.p99Ns, baselineP99Ns: base.p99Ns }
  });
  record({
    section: "quic (issue 15)",
    name: `${name}: time per request with ${WINDOW} in flight, vs UDP through the bridge`,
    baseline: "UDP through the bridge",
    candidate: name,
    ratio: tputRatio,
    of: "time",
    goal: { kind: "atMost", ratio: 2 },
    values: { baselinePerSec: base.perSec32, candidatePerSec: c.perSec32, candidatePerSec1: c.perSec1, baselinePerSec1: base.perSec1 }
  });
  const verdict = (x: number) => `${x.toFixed(2)}x ${x <= 2 ? "(≤ 2x: met)" : "(≤ 2x: MISSED)"}`;
  return [
    `${name} — ${note}`,
    `  round trip median ${us(c.medianNs)}, p99 ${us(c.p99Ns)}   (UDP through the bridge: ${us(base.medianNs)}, p99 ${us(base.p99Ns)}) → ${verdict(latRatio)}`,
    `  requests/s, 1 in flight ${rate(c.perSec1)} (bridge ${rate(base.perSec1)}); ${WINDOW} in flight ${rate(c.perSec32)} (bridge ${rate(base.perSec32)}) → time per request ${verdict(tputRatio)}`
  ].join("\n");
}

/** Stacks with no driver here, and why: printed so a reader sees they were looked at. */
async function notMeasured(): Promise<string[]> {
  const lines: string[] = [];
  try {
    await import("node:" + "quic");
    lines.push(`node:quic exists in ${process.version} but has no driver here yet`);
  } catch {
    lines.push(`node:quic: not in Node ${process.version} (no built-in QUIC module): not measured`);
  }
  const wt = findPackage("@fails-components/webtransport-transport-http3-quiche");
  lines.push(
    wt
      ? "@fails-components/webtransport: installed, but HTTP/3 WebTransport has no driver here yet: not measured"
      : "@fails-components/webtransport: not measured; its QUIC binary (@fails-components/webtransport-transport-http3-quiche) " +
          "installs only by downloading a prebuilt from GitHub releases or cloning its sources from GitHub"
  );
  return lines;
}

interface Outcome {
  name: string;
  note: string;
  base?: Figures;
  cand?: Figures;
  /** Why it was not measured: not installed, or it did not connect. */
  skipped?: string;
  failed?: string;
}

const REFERENCE = "bare UDP echo (reference)";
const PROJECT_PATH = "QUIC through the bridge (transports/quic, @chainsafe/libp2p-quic)";
const NAMES = [REFERENCE, PROJECT_PATH, ...STACKS.map((s) => s.name)];
const CHILD_ENV = "CELL_QUIC_BENCH_CANDIDATE";
const CHILD_TIMEOUT_MS = 180000;

/**
 * In a process of its own (native stacks may keep handles open or crash): the baseline, a bridge to an
 * in-process device with a UDP client, and the candidate `name`, measured side by side.
 */
async function measureOne(name: string): Promise<Outcome> {
  const closers: (() => unknown)[] = [];
  const dir = mkdtempSync(join(tmpdir(), "cell-bench-quic-"));
  const out: Outcome = { name, note: "" };
  try {
    const bridge = createBridge();
    const [board, side] = loopbackPair({ schedule: (fn) => queueMicrotask(fn) });
    bridge.addLink(side, { role: "device", maxOutInFlight: 1024 });
    serve(Bench, { ping: (n) => n }, board);
    announce(board, { instanceId: 1, ttlMs: 60000, cells: [Bench] });
    while (bridge.cells().length === 0) await new Promise((r) => setTimeout(r, 5));
    const { openUdp } = await import("../transports/udp");
    const udpServer = await openUdp({ listen: "127.0.0.1:0" });
    bridge.addLink(udpServer, { role: "network", announce: false });
    const udp = await openUdp(`127.0.0.1:${udpServer.local.port}`);
    closers.push(
      () => udp.close(),
      () => udpServer.close()
    );
    const base = withTimeout(bridged(udp), "UDP through the bridge");

    const open = async (): Promise<Op> => {
      if (name === REFERENCE) {
        out.note = "a datagram out and back, no RPC";
        const echo = createSocket("udp4");
        echo.on("message", (msg, r) => echo.send(msg, r.port, r.address));
        await new Promise<void>((resolve) => echo.bind(0, "127.0.0.1", resolve));
        const c = await udpEchoClient(echo.address().port);
        closers.push(() => echo.close(), c.close);
        return framePinger(c);
      }
      if (name === PROJECT_PATH) {
        out.note = "the project's path: the same call as the baseline, over QUIC";
        const { openQuic } = await import("../transports/quic");
        const server = await openQuic({ listen: "127.0.0.1:0", identityDir: dir });
        bridge.addLink(server, { role: "network", announce: false });
        const link = await openQuic({ connect: `127.0.0.1:${server.local.port}`, fingerprints: [server.fingerprint], identityDir: dir });
        closers.push(
          () => link.close(),
          () => server.close()
        );
        return bridged(link);
      }
      const s = STACKS.find((x) => x.name === name)!;
      const { mod, dir: pkgDir, version } = await loadStack(s);
      out.note = `${s.note}; ${s.pkg}@${version}`;
      const c = await s.open(mod, pkgDir);
      closers.push(() => c.close());
      return framePinger(c);
    };
    let op: Op;
    try {
      op = withTimeout((await withTimeout(open, `${name}: connect`)()) as Op, name);
    } catch (e) {
      out.skipped = (e as Error).message;
      return out;
    }
    try {
      [out.base, out.cand] = await sideBySide(base, op);
    } catch (e) {
      out.failed = (e as Error).message;
    }
    return out;
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // already closed
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function inChild(name: string): Promise<Outcome> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, [CHILD_ENV]: name }
  });
  let text = "";
  child.stdout!.on("data", (b) => (text += b));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), CHILD_TIMEOUT_MS);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const last = text.trim().split("\n").pop() || "";
      try {
        resolve(JSON.parse(last));
      } catch {
        resolve({ name, note: "", failed: `its process ended (${signal || "exit " + code}) without a result` });
      }
    });
  });
}

export async function runQuicCompare(): Promise<string[]> {
  const lines: string[] = [];
  for (const name of NAMES) {
    const o = await inChild(name);
    if (o.base && o.cand) lines.push(report(name, o.note, o.base, o.cand));
    else lines.push(`${name}: ${o.skipped ? "skipped: " + o.skipped : "failed: " + o.failed}`);
  }
  lines.push(...(await notMeasured()));
  return lines;
}

if (process.env[CHILD_ENV]) {
  measureOne(process.env[CHILD_ENV]!).then(
    (o) => {
      process.stdout.write("\n" + JSON.stringify(o) + "\n");
      process.exit(0);
    },
    (e) => {
      process.stdout.write("\n" + JSON.stringify({ name: process.env[CHILD_ENV], note: "", failed: String(e) }) + "\n");
      process.exit(0);
    }
  );
}

async function udpEchoClient(port: number): Promise<EchoClient> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  let listener: (f: Uint8Array) => void = () => {};
  s.on("message", (msg) => listener(msg));
  return {
    send: (frame) => s.send(frame, port, "127.0.0.1"),
    onFrame: (cb) => (listener = cb),
    close: async () => void s.close()
  };
}
