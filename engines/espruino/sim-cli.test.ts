// `cell sim --board esp32 examples/echo` as a new user runs it: Espruino 2v29 (stock) itself, the link on
// tcp://127.0.0.1:PORT, and the printed `cell bridge` line, run as it is (on a free UDP port), reaching
// the cell with "héllo ✓" through the board's paced link.
import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { openUdp } from "../../transports/udp";
import { remote } from "../../core/host/remote";
import { Echo } from "../../examples/echo/schema";

const ROOT = join(__dirname, "../..");
const CELL = join(ROOT, "cli/bin/cell.mjs");

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function start(args: string[]) {
  const child = spawn(process.execPath, [CELL, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const p = { child, out: "", exited: new Promise<number | null>((r) => child.on("exit", (code) => r(code))) };
  child.stdout.on("data", (b: Buffer) => (p.out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (p.out += b.toString()));
  return p;
}

describe("cell sim --board esp32, then the cell bridge line it prints", () => {
  it("prints the bridge line next to the link, and that line reaches the cell", async () => {
    const sim = start(["sim", "--board", "esp32", "examples/echo"]);
    try {
      await waitFor("the board running", () => /board running; Ctrl-C/.test(sim.out) || sim.child.exitCode !== null, 240000).catch(
        (e: Error) => {
          throw new Error(`${e.message}; cell sim said: ${sim.out}`);
        }
      );
      const url = /\n {2}link {4}(tcp:\/\/127\.0\.0\.1:\d+)/.exec(sim.out)![1];
      const line = `cell bridge --board esp32 --serial ${url} --udp 127.0.0.1:7420`;
      expect(sim.out).toContain(`\n  bridge  ${line}\n`);

      const probe = await openUdp({ listen: "127.0.0.1:0" });
      const free = probe.local.port;
      probe.close();
      const args = line.split(" ").slice(1);
      args[args.length - 1] = `127.0.0.1:${free}`;
      const bridge = start(args);
      try {
        await waitFor(
          "the bridge to find echo and open its UDP side",
          () =>
            (/\+ echo/.test(bridge.out) && bridge.out.includes(`network link udp:127.0.0.1:${free} open`)) ||
            bridge.child.exitCode !== null,
          60000
        ).catch((e: Error) => {
          throw new Error(`${e.message}; cell bridge said: ${bridge.out}`);
        });
        // --board esp32 paced the bridge's writes as stock 2v29 needs (boards/esp32.json ports.link.pacing).
        expect(bridge.out).toMatch(/serial writes paced: \d+-byte chunks \d+ ms apart/);
        const client = await openUdp(`127.0.0.1:${free}`);
        try {
          expect(await remote(Echo, client, { timeoutMs: 20000 }).echo("héllo ✓")).toBe("héllo ✓");
        } finally {
          client.close();
        }
      } finally {
        bridge.child.kill("SIGTERM");
        await bridge.exited;
      }
    } finally {
      sim.child.kill("SIGTERM");
    }
    expect(await sim.exited).toBe(0);
  }, 360000);
});
