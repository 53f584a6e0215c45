// `cell bridge --board esp32` paces its writes on the serial links as the board's link needs (stock
// Espruino 2v26-2v29 loses bytes sent too fast), and waits long enough for a paced largest frame.
// Checked from the far end of a tcp:// serial link: the bytes of the bridge's first frame (its ANNOUNCE
// query on connecting) cannot all arrive sooner than the gaps between its chunks allow.
import { describe, it, expect, afterEach } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { createServer, Server, Socket } from "node:net";
import { until } from "./bridge-fixtures";
import { freePort } from "./bridge-net-fixtures";
import { loadBoard } from "../firmware/build/board";

const CELL = ["cli/bin/cell.mjs"];
let server: Server | undefined;
let bridge: ChildProcess | undefined;

afterEach(async () => {
  if (bridge && bridge.exitCode === null) bridge.kill("SIGKILL");
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = bridge = undefined;
});

/** A serial peer on tcp:// that records when each byte of the first frame (up to its 0x00) arrived. */
async function recordingPeer(): Promise<{ port: number; firstFrame: () => { bytes: number; spreadMs: number } | null }> {
  const arrivals: { at: number; bytes: number }[] = [];
  let frameBytes = 0;
  let done = false;
  server = createServer((sock: Socket) => {
    sock.on("data", (d: Buffer) => {
      if (done) return;
      const end = d.indexOf(0);
      const take = end >= 0 ? end + 1 : d.length;
      arrivals.push({ at: performance.now(), bytes: take });
      frameBytes += take;
      if (end >= 0) done = true;
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    firstFrame: () => (done ? { bytes: frameBytes, spreadMs: arrivals[arrivals.length - 1].at - arrivals[0].at } : null)
  };
}

function runBridge(args: string[]): { out: () => string } {
  let out = "";
  bridge = spawn(process.execPath, [...CELL, "bridge", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  bridge.stdout!.on("data", (b) => (out += b));
  bridge.stderr!.on("data", (b) => (out += b));
  return { out: () => out };
}

describe("cell bridge --board / --pacing", () => {
  it("paces writes to an esp32's link in its board file's chunks and gaps, and waits for a paced largest frame", async () => {
    const pacing = loadBoard("esp32").ports.link.pacing!;
    const peer = await recordingPeer();
    const run = runBridge(["--serial", `tcp://127.0.0.1:${peer.port}`, "--board", "esp32", "--udp", `127.0.0.1:${await freePort()}`]);
    await until(() => peer.firstFrame() !== null, 20000, "the bridge's first frame on the serial link");
    const frame = peer.firstFrame()!;
    const chunks = Math.ceil(frame.bytes / pacing.chunkBytes);
    expect(chunks).toBeGreaterThan(1);
    // Timers never fire early; 2 ms of slack for clock granularity.
    expect(frame.spreadMs).toBeGreaterThanOrEqual((chunks - 1) * pacing.gapMs - 2);
    const timeout = 2 * Math.ceil(1044 / pacing.chunkBytes) * pacing.gapMs + 1000;
    await until(() => run.out().includes("requests time out after"), 10000, "the bridge's pacing line");
    expect(run.out()).toContain(
      `serial writes paced: ${pacing.chunkBytes}-byte chunks ${pacing.gapMs} ms apart; requests time out after ${timeout} ms`
    );
  }, 40000);

  it("--pacing 0 writes a frame at once even for a paced board", async () => {
    const peer = await recordingPeer();
    const run = runBridge([
      "--serial",
      `tcp://127.0.0.1:${peer.port}`,
      "--board",
      "esp32",
      "--pacing",
      "0",
      "--udp",
      `127.0.0.1:${await freePort()}`
    ]);
    await until(() => peer.firstFrame() !== null, 20000, "the bridge's first frame on the serial link");
    expect(peer.firstFrame()!.spreadMs).toBeLessThan(loadBoard("esp32").ports.link.pacing!.gapMs); // one write
    expect(run.out()).not.toContain("serial writes paced");
  }, 40000);
});
