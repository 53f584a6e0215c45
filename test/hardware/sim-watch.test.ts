// `cell sim --watch --json`: the board's address as a JSON line; a saved change to the cell is built and
// flashed onto the running board through its loader, and the next call gets the new answer.
import { describe, it, expect, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { remote } from "../../core/host/remote";
import { openSerial } from "../../transports/serial";
import { watchedCell, Greeter } from "../../cli/testing/watched-cell";

const ROOT = join(__dirname, "../..");
const cellDir = watchedCell(ROOT, "hello");
afterAll(() => cellDir.remove());

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function greet(uart: string): Promise<string> {
  const link = await openSerial(uart, { maxFrame: 1044, reconnect: false });
  try {
    return await remote(Greeter, link, { timeoutMs: 10000 }).greet("Ada");
  } finally {
    link.close();
  }
}

describe("cell sim --watch --json", () => {
  it("reflashes the running board when the cell changes, and stops on Ctrl-C with 0", async () => {
    const child = spawn(process.execPath, ["cli/bin/cell.mjs", "sim", "--board", "qemu-mps2-an385", "--watch", "--json", cellDir.dir], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"]
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await waitFor("the board's JSON line", () => stdout.includes("\n"), 300000);
      const running = JSON.parse(stdout.split("\n")[0]);
      expect(running).toMatchObject({
        board: 0,
        id: "qemu-mps2-an385",
        pid: expect.any(Number),
        uart: expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:\d+$/)
      });
      expect(running.bridge).toBe(`cell bridge --board qemu-mps2-an385 --serial ${running.uart} --udp 127.0.0.1:7420`);
      expect(running.cells).toEqual([{ name: "greeter", schema: Greeter.schema, matches: true }]);
      expect(stderr).toMatch(/^1 board\(s\) running; Ctrl-C stops them\.$/m); // what a person reads: on stderr
      expect(await greet(running.uart)).toBe("hello Ada");

      // Edited only once the watcher is set: an edit before that is not a change it can see.
      await waitFor("the watcher", () => /^watching .*: a change builds and flashes it again$/m.test(stderr), 60000);
      cellDir.setGreeting("goodbye");
      await waitFor("the reflash", () => /^board 0: flashed again in \d+ ms$/m.test(stderr), 180000).catch((e: Error) => {
        throw new Error(`${e.message}; cell sim said: ${stderr.slice(-2000)}`);
      });
      expect(stderr).toMatch(/^changed: index\.ts; building and flashing again$/m);
      expect(await greet(running.uart)).toBe("goodbye Ada");
      expect(stdout.trim().split("\n")).toHaveLength(1); // stdout: JSON lines only
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  }, 600000);
});
