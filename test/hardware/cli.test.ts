// `cell sim` and `cell flash` as a user runs them: real processes, real QEMU, exit codes, and no QEMU
// left behind once `cell sim` gets SIGTERM.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { remote } from "../../core/host/remote";
import { Echo } from "../../examples/echo/schema";
import { Thermo } from "../../examples/thermo/schema";
import { openSocket, parseTcpUrl, socketLink } from "../../sim/tcp-port";
import type { SimBundle } from "../../sim/bundle";
import { buildBundles, waitFor, ROOT, BOARDS } from "./harness";

var CELL = join(ROOT, "cli/bin/cell.mjs");

function cell(args: string[]): { status: number | null; stdout: string; stderr: string } {
  var r = spawnSync(process.execPath, [CELL, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(BOARDS)("cell sim and cell flash on %s", (board) => {
  var built: { bundles: { echo: SimBundle; thermo: SimBundle }; dir: string; dispose(): void };
  var sim: ChildProcess | null = null;
  var out = "";
  var boards: { url: string; pid: number }[] = [];

  beforeAll(async () => {
    built = await buildBundles({ echo: "examples/echo/echo.ts", thermo: "examples/thermo" }, board);
  }, 120000);

  afterAll(async () => {
    if (sim && sim.exitCode === null) sim.kill("SIGKILL");
    for (var b of boards) if (alive(b.pid)) process.kill(b.pid, "SIGKILL");
    if (built) built.dispose();
  });

  it("starts two boards, flashes them, and prints where their UARTs are and the cells they serve", async () => {
    sim = spawn(process.execPath, [CELL, "sim", "--board", board, built.bundles.echo.path, "--count", "2"], { cwd: ROOT });
    sim.stdout!.setEncoding("utf8");
    sim.stdout!.on("data", (d: string) => (out += d));
    sim.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    await waitFor("both boards running", () => /2 board\(s\) running/.test(out) || sim!.exitCode !== null, 60000);
    expect(out).toMatch(/2 board\(s\) running; Ctrl-C stops them/);
    for (var m of out.matchAll(
      new RegExp("board \\d+: " + board + ", QEMU pid (\\d+)[^\\n]*\\n\\s+uart\\s+(tcp://127\\.0\\.0\\.1:\\d+)", "g")
    )) {
      boards.push({ pid: Number(m[1]), url: m[2] });
    }
    expect(boards.length).toBe(2);
    expect(boards[0].url).not.toBe(boards[1].url);
    // The bridge line for each board: --board gives the bridge the board's link settings.
    for (var b of boards) expect(out).toContain(`  bridge  cell bridge --board ${board} --serial ${b.url} --udp 127.0.0.1:7420\n`);
    expect(out).toContain("cell    echo: " + Echo.schema);
    expect(out).toMatch(new RegExp("qemu0\\| cell-sim board=" + board + " .* running=yes")); // the board's console
  }, 90000);

  it("leaves each UART free for a client: remote() answers through it", async () => {
    var link = socketLink(await openSocket(parseTcpUrl(boards[1].url)), 1024);
    try {
      expect(await remote(Echo, link, { timeoutMs: 10000 }).echo("from a client")).toBe("from a client");
    } finally {
      link.close();
    }
  });

  it("cell flash replaces the bundle of a running board", async () => {
    var r = cell(["flash", "--board", board, "--port", boards[1].url, built.bundles.thermo.path]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^flashing \d+ bytes through/); // progress, as lines when stderr is no terminal
    expect(r.stdout).toContain("cell    thermo: " + Thermo.schema);
    var link = socketLink(await openSocket(parseTcpUrl(boards[1].url)), 1024);
    try {
      expect((await remote(Thermo, link, { timeoutMs: 10000 }).read("C")).unit).toBe("C");
    } finally {
      link.close();
    }
  }, 60000);

  it("cell flash reports a broken bundle with exit code 3, and the board is still flashable", async () => {
    var broken = join(built.dir, "broken.js");
    writeFileSync(broken, "sim.onFrame = function (f) {");
    var r = cell(["flash", "--board", board, "--port", boards[0].url, broken]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cell flash: the bundle was stored but does not run: bundle failed to compile: SyntaxError/);
    var again = cell(["flash", "--board", board, "--port", boards[0].url, built.bundles.echo.path]);
    expect(again.status).toBe(0);
  }, 60000);

  it("cell flash says when nothing listens (exit 4), refuses a bundle built for another board (exit 3), and a board it cannot write (exit 4)", () => {
    var none = cell(["flash", "--board", board, "--port", "tcp://127.0.0.1:1", built.bundles.echo.path]);
    expect(none.status).toBe(4);
    expect(none.stderr).toMatch(/no simulated board at tcp:\/\/127\.0\.0\.1:1/);
    var otherBoard = board === "qemu-mps2-an385" ? "qemu-mps2-an385-jerryscript" : "qemu-mps2-an385";
    var other = cell(["flash", "--board", otherBoard, "--port", boards[0].url, built.bundles.echo.path]);
    expect(other.status).toBe(3);
    expect(other.stderr).toContain(`was built for ${board}, not ${otherBoard}; nothing was written (--force`);
    var host = cell(["flash", "--board", "host", "--port", boards[0].url, built.bundles.echo.path]);
    expect(host.status).toBe(4);
    expect(host.stderr).toMatch(/cell flash cannot write host \(its flash method is none\)/);
    expect(cell(["sim", "--board", "qemu-mps2-an385"]).status).toBe(2);
  });

  it("stops every board on SIGTERM and exits 0, leaving no QEMU running", async () => {
    var exited = new Promise<number | null>((resolve) => sim!.once("exit", (code) => resolve(code)));
    sim!.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (var b of boards) expect(alive(b.pid)).toBe(false);
  }, 30000);
});
