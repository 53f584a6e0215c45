// Issue-5 benchmarks: a small call through the bridge against the bare medium, between the same two
// processes. This process is the client; a child process (this file again, with CELL_BRIDGE_BENCH_SERVER
// set) holds both the bare echo servers and the bridge with its in-process device. Baseline and candidate
// run in alternating rounds, so machine load hits both alike; the figures that matter are the ratios.
import { spawn, ChildProcess } from "node:child_process";
import { createSocket, Socket } from "node:dgram";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cell, method, t } from "../core/schema";
import { loopbackPair } from "../core/loopback";
import { serve } from "../core/host/serve";
import { remote } from "../core/host/remote";
import { announce } from "../core/rpc/announce";
import { HEADER_SIZE, Kind, CodecId, encodeHeader, readU32, writeU32 } from "../core/header";
import type { Transport } from "../core/transport";
import { createBridge } from "../host-bridge";
import { streamLink } from "../core/stream-link";
import { boardOnSerial, udpToSerialForwarder } from "./serial-board";
import { record } from "./measure";

export const Bench = cell("bench", { ping: method(t.u32, t.u32) });
/** A request frame of the same size as the bridged call's (header + a COMPACT u32): what the bare side echoes. */
const FRAME_SIZE = HEADER_SIZE + 4;
const WINDOW = 32; // requests in flight for the throughput figures

interface Addresses {
  udpEcho: number;
  udpBridge: number;
  /** The same cell served straight on a UDP link, no bridge: what the bridge itself adds is the difference. */
  udpDirect: number;
  /** A bridge to a board on a serial link (bench/serial-board.ts), and a bare forwarder to another such board. */
  udpBoardBridge: number;
  udpBoardForwarder: number;
  quicEcho?: { port: number; fingerprint: string };
  quicBridge?: { port: number; fingerprint: string };
  nats?: string;
}

// ---- the server process ------------------------------------------------------------------------

async function serverMain(): Promise<void> {
  const addresses: Addresses = { udpEcho: 0, udpBridge: 0, udpDirect: 0, udpBoardBridge: 0, udpBoardForwarder: 0 };
  // The device: served in this process over a loopback link delivering on the microtask queue.
  const bridge = createBridge();
  const [board, side] = loopbackPair({ schedule: (fn) => queueMicrotask(fn) });
  bridge.addLink(side, { role: "device", maxOutInFlight: 1024 });
  serve(Bench, { ping: (n) => n }, board);
  announce(board, { instanceId: 1, ttlMs: 60000, cells: [Bench] });

  const echo = createSocket("udp4");
  echo.on("message", (msg, r) => echo.send(msg, r.port, r.address));
  await new Promise<void>((resolve) => echo.bind(0, "127.0.0.1", resolve));
  addresses.udpEcho = echo.address().port;
  const { openUdp } = await import("../transports/udp");
  const udp = await openUdp({ listen: "127.0.0.1:0" });
  bridge.addLink(udp, { role: "network", announce: false });
  addresses.udpBridge = udp.local.port;
  const direct = await openUdp({ listen: "127.0.0.1:0" });
  serve(Bench, { ping: (n) => n }, direct);
  addresses.udpDirect = direct.local.port;

  const boardBridge = createBridge();
  const serial = boardOnSerial((board) => {
    serve(Bench, { ping: (n) => n }, board);
    announce(board, { instanceId: 2, ttlMs: 60000, cells: [Bench] });
  });
  boardBridge.addLink(streamLink(serial), { role: "device", maxOutInFlight: 1024 });
  const boardUdp = await openUdp({ listen: "127.0.0.1:0" });
  boardBridge.addLink(boardUdp, { role: "network", announce: false });
  addresses.udpBoardBridge = boardUdp.local.port;
  const forwarder = await udpToSerialForwarder(boardOnSerial((board) => serve(Bench, { ping: (n) => n }, board)));
  addresses.udpBoardForwarder = forwarder.port;

  const quicDir = process.env.CELL_BRIDGE_BENCH_QUIC_DIR;
  if (quicDir) {
    const { openQuic } = await import("../transports/quic");
    const quicEcho = await openQuic({ listen: "127.0.0.1:0", identityDir: quicDir });
    quicEcho.onFrame((frame, from) => quicEcho.send(frame, from));
    const quic = await openQuic({ listen: "127.0.0.1:0", identityDir: quicDir });
    bridge.addLink(quic, { role: "network", announce: false });
    addresses.quicEcho = { port: quicEcho.local.port, fingerprint: quicEcho.fingerprint };
    addresses.quicBridge = { port: quic.local.port, fingerprint: quic.fingerprint };
  }

  const natsUrl = process.env.CELL_BRIDGE_BENCH_NATS;
  if (natsUrl) {
    const nats = await import("nats");
    const nc = await nats.connect({ servers: natsUrl });
    nc.subscribe("bench.echo", { callback: (err, msg) => !err && msg.respond(msg.data) });
    await nc.flush();
    const { openNats } = await import("../transports/nats");
    const link = await openNats({ servers: natsUrl });
    bridge.addLink(link, { role: "network", announce: false });
    while (!link.served.includes(Bench.id)) await new Promise((r) => setTimeout(r, 5));
    await link.flush();
    addresses.nats = natsUrl;
  }
  while (bridge.cells().length === 0 || boardBridge.cells().length === 0) await new Promise((r) => setTimeout(r, 5));
  process.stdout.write(JSON.stringify(addresses) + "\n");
  // Each line the parent writes asks for this process's CPU time so far (µs, user + system), answered as a line.
  process.stdin.on("data", (b) => {
    for (let n = String(b).split("\n").length - 1; n > 0; n--) {
      const u = process.cpuUsage();
      process.stdout.write(u.user + u.system + "\n");
    }
  });
  process.stdin.on("end", () => process.exit(0)); // the parent went away
}

// ---- the client side ---------------------------------------------------------------------------

type Op = () => Promise<unknown>;

interface Side {
  name: string;
  op: Op;
}

/** Bare UDP: a tagged datagram to the echo server, and its echo back. */
async function udpPinger(port: number): Promise<{ op: Op; close: () => void }> {
  const s: Socket = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve, reject) => s.connect(port, "127.0.0.1", (e?: Error) => (e ? reject(e) : resolve())));
  const waiting = new Map<number, () => void>();
  s.on("message", (msg) => {
    const done = waiting.get(readU32(msg, 12));
    if (done) {
      waiting.delete(readU32(msg, 12));
      done();
    }
  });
  let seq = 1;
  return {
    op: () =>
      new Promise<void>((resolve) => {
        const id = seq++;
        waiting.set(id, resolve);
        s.send(benchFrame(id));
      }),
    close: () => s.close()
  };
}

/** Whatever sends frames and hands back the ones that come back: a transport, a bench's QUIC client. */
interface FramePipe {
  send(frame: Uint8Array): unknown;
  onFrame(cb: (frame: Uint8Array) => void): unknown;
}

/** Bare frames over a pipe to an echo peer: send a frame, wait for it to come back (matched by request id). */
export function framePinger(link: FramePipe): Op {
  const waiting = new Map<number, () => void>();
  link.onFrame((frame) => {
    const id = readU32(frame, 12);
    const done = waiting.get(id);
    if (done) {
      waiting.delete(id);
      done();
    }
  });
  let seq = 1;
  return () =>
    new Promise<void>((resolve) => {
      const id = seq++;
      waiting.set(id, resolve);
      link.send(benchFrame(id));
    });
}

export function benchFrame(id: number): Uint8Array {
  const f = new Uint8Array(FRAME_SIZE);
  encodeHeader(
    { kind: Kind.Request, flags: 0, codec: CodecId.Compact, cellId: Bench.id, methodId: Bench.info.ping.id, requestId: id, length: 4 },
    f,
    0
  );
  writeU32(f, HEADER_SIZE, id);
  return f;
}

export function bridged(link: Transport): Op {
  const b = remote(Bench, link, { timeoutMs: 10000 });
  let n = 0;
  return async () => {
    const v = ++n;
    if ((await b.ping(v)) !== v) throw new Error("bench: a wrong answer through the bridge");
  };
}

/**
 * Median round trip of each side, one call at a time, the two sides taking turns call by call: load
 * and wake-up delays on a small machine vary from moment to moment, and hit both sides alike this way.
 */
async function latencies(a: Op, b: Op, ops: number): Promise<[number, number]> {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < ops; i++) {
    let t0 = process.hrtime.bigint();
    await a();
    x.push(Number(process.hrtime.bigint() - t0));
    t0 = process.hrtime.bigint();
    await b();
    y.push(Number(process.hrtime.bigint() - t0));
  }
  return [median(x), median(y)];
}

/** ns per request with WINDOW requests kept in flight. */
async function throughputNs(op: Op, ops: number): Promise<number> {
  let left = ops;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (left-- > 0) await op();
    })
  );
  return Number(process.hrtime.bigint() - t0) / ops;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Alternating rounds of both sides; the medians of each. */
async function sideBySide(measure: (op: Op) => Promise<number>, a: Side, b: Side, rounds: number): Promise<[number, number]> {
  const x: number[] = [];
  const y: number[] = [];
  for (let r = 0; r < rounds; r++) {
    x.push(await measure(a.op));
    y.push(await measure(b.op));
  }
  return [median(x), median(y)];
}

function fmt(ns: number): string {
  return ns < 1000 ? ns.toFixed(0) + " ns" : (ns / 1000).toFixed(1) + " µs";
}

/** How many calls per round. */
interface Effort {
  latencyOps: number;
  throughputOps: number;
  rounds: number;
}
const FAST: Effort = { latencyOps: 5000, throughputOps: 2000, rounds: 15 };
/** QUIC through quinn is within a few times UDP (@matrixai/quic, 100x slower, took 300 calls, 5 rounds). */
const QUIC_EFFORT: Effort = FAST;

async function compare(title: string, bare: Side, bridge: Side, goal: number | null, e: Effort = FAST): Promise<string[]> {
  await throughputNs(bare.op, e.throughputOps); // warm-up: JIT, socket buffers, NATS routes
  await throughputNs(bridge.op, e.throughputOps);
  const [lb, lc] = await latencies(bare.op, bridge.op, e.latencyOps);
  const [tb, tc] = await sideBySide((op) => throughputNs(op, e.throughputOps), bare, bridge, e.rounds);
  const verdict = (ratio: number) => (goal === null ? "" : `  goal: ≤ ${goal}x → ${ratio <= goal ? "met" : "MISSED"}`);
  const perSec = (ns: number) => Math.round(1e9 / ns).toLocaleString("en-US") + "/s";
  return [
    `${title}: round-trip latency, one call at a time (median)\n  ${bare.name}: ${fmt(lb)}   ${bridge.name}: ${fmt(lc)}   → ${(lc / lb).toFixed(2)}x the time${verdict(lc / lb)}`,
    `${title}: requests/second, ${WINDOW} in flight\n  ${bare.name}: ${perSec(tb)}   ${bridge.name}: ${perSec(tc)}   → ${(tc / tb).toFixed(2)}x the time per request${verdict(tc / tb)}`
  ];
}

/**
 * Issue 15: the bridge to a board on a serial link against the least a UDP-to-serial forwarder does to
 * the same board, as requests/second with WINDOW in flight (goal: ≥ 0.9x the forwarder's), also in the JSON.
 */
async function compareBoard(forwarder: Side, bridge: Side, serverCpuUs: () => Promise<number>, e: Effort = FAST): Promise<string[]> {
  await throughputNs(forwarder.op, e.throughputOps);
  await throughputNs(bridge.op, e.throughputOps);
  const [lf, lb] = await latencies(forwarder.op, bridge.op, e.latencyOps);
  // The ratio is the median of each round's own ratio: load that comes and goes between rounds cancels out.
  // Each round runs forwarder, bridge, bridge, forwarder (ABBA), so that load rising or falling within a
  // round hits both sides alike; with plain alternation a shared machine swung the ratio from 0.85x to 1.39x.
  const f: number[] = [];
  const b: number[] = [];
  const speeds: number[] = [];
  // The server process's CPU time per call of each side, too: what the bridge costs, whatever the load.
  const fc: number[] = [];
  const bc: number[] = [];
  const half = e.throughputOps >> 1;
  const segment = async (op: Op, cpu: number[]) => {
    const c0 = await serverCpuUs();
    const ns = await throughputNs(op, half);
    cpu.push(((await serverCpuUs()) - c0) / half);
    return ns;
  };
  for (let r = 0; r < e.rounds; r++) {
    const f1 = await segment(forwarder.op, fc);
    const b1 = await segment(bridge.op, bc);
    const b2 = await segment(bridge.op, bc);
    const f2 = await segment(forwarder.op, fc);
    f.push((f1 + f2) / 2);
    b.push((b1 + b2) / 2);
    speeds.push(f[r] / b[r]); // the bridge's requests/s over the forwarder's
  }
  const [cf, cb] = [median(fc), median(bc)];
  const [tf, tb, speed] = [median(f), median(b), median(speeds)];
  const name = "bridge to a board on a serial link vs a bare UDP-to-serial forwarder to the same board";
  record({
    section: "bridge (issue 5)",
    name: `${name}: requests/second, ${WINDOW} in flight`,
    baseline: forwarder.name,
    candidate: bridge.name,
    ratio: speed,
    of: "speedup",
    goal: { kind: "atLeast", ratio: 0.9 },
    values: { baselineNs: tf, candidateNs: tb, baselinePerSec: 1e9 / tf, candidatePerSec: 1e9 / tb }
  });
  record({
    section: "bridge (issue 5)",
    name: `${name}: CPU time of the server process per call, ${WINDOW} in flight (median)`,
    baseline: forwarder.name,
    candidate: bridge.name,
    ratio: cb / cf,
    of: "time",
    values: { baselineUs: cf, candidateUs: cb }
  });
  record({
    section: "bridge (issue 5)",
    name: `${name}: round-trip latency, one call at a time (median)`,
    baseline: forwarder.name,
    candidate: bridge.name,
    ratio: lb / lf,
    of: "time",
    values: { baselineNs: lf, candidateNs: lb }
  });
  const perSec = (ns: number) => Math.round(1e9 / ns).toLocaleString("en-US") + "/s";
  return [
    `${name}: round-trip latency, one call at a time (median)\n  ${forwarder.name}: ${fmt(lf)}   ${bridge.name}: ${fmt(lb)}   → ${(lb / lf).toFixed(2)}x the time`,
    `${name}: requests/second, ${WINDOW} in flight\n  ${forwarder.name}: ${perSec(tf)}   ${bridge.name}: ${perSec(tb)}   → ${speed.toFixed(2)}x the forwarder's requests/s  goal: ≥ 0.9x → ${speed >= 0.9 ? "met" : "MISSED"}`,
    `${name}: CPU time of the server process (board and bridge or forwarder) per call, ${WINDOW} in flight\n  ${forwarder.name}: ${cf.toFixed(1)} µs   ${bridge.name}: ${cb.toFixed(1)} µs   → ${(cb / cf).toFixed(2)}x`
  ];
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Debian's nats-server on a free loopback port, or null when it is not installed. */
async function startNats(): Promise<{ url: string; child: ChildProcess } | null> {
  const port = await freePort();
  const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let out = "";
  child.stderr!.on("data", (b) => (out += b));
  const ok = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(false));
    child.once("exit", () => resolve(false));
    const poll = setInterval(() => out.includes("Server is ready") && (clearInterval(poll), resolve(true)), 10);
    setTimeout(() => (clearInterval(poll), resolve(out.includes("Server is ready"))), 10000);
  });
  if (!ok) {
    if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    return null;
  }
  return { url: `nats://127.0.0.1:${port}`, child };
}

export async function runBridge(): Promise<string[]> {
  const lines: string[] = [];
  // CELL_BRIDGE_BENCH_ONLY=board: only the bridge-to-a-board figure (repeated runs, profiling).
  const boardOnly = process.env.CELL_BRIDGE_BENCH_ONLY === "board";
  const nats = boardOnly ? null : await startNats();
  if (!nats && !boardOnly) lines.push("NATS: nats-server is not installed: the NATS pair is left out");
  const quicDir = mkdtempSync(join(tmpdir(), "cell-bench-quic-"));
  const server = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: ["pipe", "pipe", "inherit"],
    env: {
      ...process.env,
      CELL_BRIDGE_BENCH_SERVER: "1",
      CELL_BRIDGE_BENCH_QUIC_DIR: boardOnly ? "" : quicDir,
      CELL_BRIDGE_BENCH_NATS: nats ? nats.url : ""
    }
  });
  const closers: (() => void)[] = [];
  try {
    // The server's first line is its addresses; each later one answers a CPU-time question (serverCpuUs).
    const answers: ((line: string) => void)[] = [];
    const addresses = await new Promise<Addresses>((resolve, reject) => {
      let out = "";
      answers.push((line) => resolve(JSON.parse(line)));
      server.stdout!.on("data", (b) => {
        out += b;
        for (let at = out.indexOf("\n"); at >= 0; at = out.indexOf("\n")) {
          const line = out.slice(0, at);
          out = out.slice(at + 1);
          answers.shift()?.(line);
        }
      });
      server.once("exit", (code) => reject(new Error(`bench: the server process exited (${code})`)));
    });
    const serverCpuUs = () =>
      new Promise<number>((resolve) => {
        answers.push((line) => resolve(Number(line)));
        server.stdin!.write("\n");
      });
    const { openUdp } = await import("../transports/udp");
    const bare = await udpPinger(addresses.udpEcho);
    closers.push(bare.close);
    const udp = await openUdp(`127.0.0.1:${addresses.udpBridge}`);
    closers.push(() => udp.close());
    const throughBridge = bridged(udp);
    if (!boardOnly)
      lines.push(
        ...(await compare(
          "UDP: bridge (UDP client → bridge → in-process device) vs bare UDP ping-pong",
          { name: "bare UDP", op: bare.op },
          { name: "through the bridge", op: throughBridge },
          1.5
        ))
      );
    const direct = await openUdp(`127.0.0.1:${addresses.udpDirect}`);
    closers.push(() => direct.close());
    if (!boardOnly)
      lines.push(
        ...(await compare(
          "UDP: bridge vs the same cell served straight on UDP (what the bridge itself adds)",
          { name: "served on UDP", op: bridged(direct) },
          { name: "through the bridge", op: throughBridge },
          null
        ))
      );

    const viaForwarder = await openUdp(`127.0.0.1:${addresses.udpBoardForwarder}`);
    closers.push(() => viaForwarder.close());
    const boardBridge = await openUdp(`127.0.0.1:${addresses.udpBoardBridge}`);
    closers.push(() => boardBridge.close());
    lines.push(
      ...(await compareBoard(
        { name: "UDP-to-serial forwarder", op: bridged(viaForwarder) },
        { name: "through the bridge", op: bridged(boardBridge) },
        serverCpuUs
      ))
    );

    if (addresses.nats) {
      const natsLib = await import("nats");
      const nc = await natsLib.connect({ servers: addresses.nats });
      closers.push(() => void nc.close());
      const { openNats } = await import("../transports/nats");
      const link = await openNats({ servers: addresses.nats, announce: false });
      closers.push(() => link.close());
      const payload = benchFrame(1);
      const bareNats: Op = () => nc.request("bench.echo", payload, { timeout: 10000 });
      lines.push(
        ...(await compare(
          "NATS: bridge (NATS client → bridge → in-process device) vs bare NATS request/reply",
          { name: "bare NATS", op: bareNats },
          { name: "through the bridge", op: bridged(link) },
          1.2
        ))
      );
    }

    if (addresses.quicEcho && addresses.quicBridge) {
      const { openQuic } = await import("../transports/quic");
      const echo = await openQuic({
        connect: `127.0.0.1:${addresses.quicEcho.port}`,
        fingerprints: [addresses.quicEcho.fingerprint],
        identityDir: quicDir
      });
      closers.push(() => echo.close());
      const link = await openQuic({
        connect: `127.0.0.1:${addresses.quicBridge.port}`,
        fingerprints: [addresses.quicBridge.fingerprint],
        identityDir: quicDir
      });
      closers.push(() => link.close());
      lines.push(
        ...(await compare(
          "QUIC: through the bridge (QUIC client → bridge → in-process device) vs UDP through the bridge",
          { name: "UDP through the bridge", op: throughBridge },
          { name: "QUIC through the bridge", op: bridged(link) },
          null,
          QUIC_EFFORT
        )),
        ...(await compare(
          "QUIC: bridge (QUIC client → bridge → in-process device) vs bare frames echoed on a QUIC stream",
          { name: "bare QUIC", op: framePinger(echo) },
          { name: "through the bridge", op: bridged(link) },
          null,
          QUIC_EFFORT
        ))
      );
    }
  } finally {
    for (const c of closers) c();
    server.stdin!.end();
    if (server.exitCode === null && server.pid) process.kill(server.pid, "SIGTERM");
    if (nats && nats.child.exitCode === null && nats.child.pid) process.kill(nats.child.pid, "SIGTERM");
    // The server reads its key from here at start; it is not needed once the clients are connected.
    rmSync(quicDir, { recursive: true, force: true });
  }
  return lines;
}

if (process.env.CELL_BRIDGE_BENCH_SERVER) {
  serverMain().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `tsx bench/bridge.ts` alone
  runBridge().then((lines) => {
    for (const l of lines) console.log(l + "\n");
    process.exit(0);
  });
}
