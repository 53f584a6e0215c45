// `cell bridge` as a process: how it stops (SIGTERM at once), how fast it sees a board, and clients that
// outlive it (issue 10, items 9, 11 and 12).
import { describe, it, expect, afterEach } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { until } from "./bridge-fixtures";
import { tcpBoard, freePort } from "./bridge-net-fixtures";

const CELL = ["cli/bin/cell.mjs"];

interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [...CELL, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (err += b));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

const procs: Proc[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) process.kill(p.child.pid!, "SIGKILL");
  for (const c of cleanups.splice(0)) await c();
});

async function board(instanceId: number, ttlMs = 3000) {
  const b = await tcpBoard(instanceId, ttlMs);
  cleanups.push(() => b.close());
  return b;
}

function bridgeProc(port: number, udp: string, extra: string[] = []): Proc {
  const p = start(["bridge", "--serial", `tcp://127.0.0.1:${port}`, "--udp", udp, ...extra]);
  procs.push(p);
  return p;
}

describe("cell bridge stopping", () => {
  it("exits at once on SIGTERM, answering the requests in flight Unreachable", async () => {
    const b = await board(0x5e1);
    const udp = `127.0.0.1:${await freePort()}`;
    const bridge = bridgeProc(b.port, udp);
    await until(() => bridge.out().includes("+ thermo") && bridge.out().includes(`udp:${udp} open`), 20000, "the bridge to find the board");
    const call = start(["call", "thermo.hold", "1", "--udp", udp, "--timeout", "20000"]);
    procs.push(call);
    await until(() => (b.device()?.held.length ?? 0) === 1, 15000, "the request to reach the board");
    const t0 = Date.now();
    bridge.child.kill("SIGTERM");
    expect(await bridge.exited).toBe(0);
    const took = Date.now() - t0;
    expect(await call.exited).toBe(1);
    expect(call.err()).toMatch(/^cell call: thermo.hold: Unreachable: the bridge is stopping\n$/);
    expect(bridge.out()).toMatch(/stopping now: goodbye sent, the requests in flight answered Unreachable\n.*stopped\n$/);
    expect(took).toBeLessThan(1500);
  }, 60000);
});

describe("cell call through a bridge", () => {
  it("waits for --timeout 10000 though the bridge's own timeout is 4000: the deadline travels with the request", async () => {
    const b = await board(0x5e2);
    const udp = `127.0.0.1:${await freePort()}`;
    const bridge = bridgeProc(b.port, udp, ["--timeout", "4000"]);
    await until(() => bridge.out().includes("+ thermo") && bridge.out().includes(`udp:${udp} open`), 20000, "the bridge to find the board");
    const call = start(["call", "thermo.slowRead", '{"n":5,"ms":6000}', "--udp", udp, "--timeout", "10000"]);
    procs.push(call);
    expect(await call.exited).toBe(0);
    expect(call.err()).toBe("");
    expect(JSON.parse(call.out())).toEqual({ n: 5, by: 0x5e2 });
  }, 60000);
});

describe("cell watch across a bridge restart", () => {
  it("subscribes again when the bridge comes back, with a line on stderr", async () => {
    const b = await board(0x5e3);
    const alarms = setInterval(() => b.device()?.server.emit("alarm", { value: 40.5, by: 1 }), 50);
    cleanups.push(async () => clearInterval(alarms));
    const udp = `127.0.0.1:${await freePort()}`;
    const first = bridgeProc(b.port, udp);
    await until(
      () => first.out().includes("+ thermo") && first.out().includes(`udp:${udp} open`),
      20000,
      "the first bridge to find the board"
    );
    const watch = start(["watch", "thermo.alarm", "--udp", udp]);
    procs.push(watch);
    await until(() => watch.out().split("\n").length > 3, 15000, "events through the first bridge");
    first.child.kill("SIGKILL"); // a crash: no goodbye
    await first.exited;
    const before = watch.out().length;
    const second = bridgeProc(b.port, udp);
    await until(() => second.out().includes("+ thermo"), 20000, "the second bridge to find the board");
    await until(() => watch.err().includes("subscribed again to thermo.alarm"), 15000, "the watch to subscribe again");
    // "does not answer" only when one of its 2 s queries fell between the two bridges.
    expect(watch.err()).toMatch(
      /^(cell watch: the bridge does not answer; waiting for it to come back\n)?cell watch: the bridge restarted \(instance 0x[0-9a-f]{8}\); subscribed again to thermo.alarm\n$/
    );
    await until(() => watch.out().slice(before).split("\n").length > 3, 15000, "events through the second bridge");
    watch.child.kill("SIGINT");
    expect(await watch.exited).toBe(0);
  }, 90000);
});
