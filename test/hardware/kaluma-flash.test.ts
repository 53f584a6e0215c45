// `cell flash --board rpi-pico` as a user runs it, against an independent YMODEM receiver: Debian's
// lrzsz `rb --ymodem` behind a Kaluma REPL peer (transports/testing/kaluma-repl.ts) on a pseudo-terminal
// or a TCP port. The file rb writes must be the bundle byte for byte, and must boot on JerryScript
// 3.0.0 with Kaluma's API (engines/jerryscript) and answer a typed call. YMODEM bytes are paced to
// 115200 baud (11520 B/s each way) so the figures are a serial line's, not a pty's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, type BundleInfo } from "../../firmware/build";
import { remote } from "../../core/host/remote";
import { streamLink } from "../../core/stream-link";
import type { BytePort } from "../../core/byte-port";
import { Echo } from "../../examples/echo/schema";
import { openPty, type PtyDevice } from "../../transports/pty";
import { KalumaRepl, rbAvailable, type KalumaReplOptions } from "../../transports/testing/kaluma-repl";
import { ensureKalumaRunner } from "../../engines/jerryscript/build";
import { startKaluma, type KalumaBoard } from "../../engines/jerryscript/kaluma";
import { ROOT } from "./harness";

const CELL = join(ROOT, "cli/bin/cell.mjs");
const WIRE_115200 = 11520; // bytes per second: 10 bits a byte (8N1)
const work = mkdtempSync(join(tmpdir(), "cell-kaluma-flash-"));
const figures: string[] = [];
const running: KalumaBoard[] = [];
const ptys: PtyDevice[] = [];
let echo: BundleInfo;

/** `cell ARGS`, asynchronously: the REPL peer runs in this process and must keep answering. */
function cell(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CELL, ...args], { cwd: ROOT });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A Kaluma board's REPL on a fresh pty; `.load` boots the received program on jerry-kaluma. */
async function ptyBoard(opts: Partial<KalumaReplOptions> = {}): Promise<{ path: string; repl: KalumaRepl; dir: string }> {
  const pty = await openPty();
  ptys.push(pty);
  const dir = mkdtempSync(join(work, "board-"));
  const repl = new KalumaRepl(pty.port, { dir, bytesPerSecond: WIRE_115200, onLoad: bootOnJerry, ...opts });
  return { path: pty.path, repl, dir };
}

async function bootOnJerry(program: string): Promise<{ error?: string } | void> {
  try {
    running.push(await startKaluma({ bundle: program }));
  } catch (e) {
    return { error: (e as Error).message.split("\n")[0] };
  }
}

/** A net.Socket as a BytePort (the REPL peer's side of a tcp:// board). */
function socketPort(sock: Socket): BytePort {
  return {
    write: (b) => void sock.write(Buffer.from(b)),
    onData: (cb) => void sock.on("data", (d: Buffer) => cb(new Uint8Array(d))),
    onClose: (cb) => void sock.on("close", cb),
    close: () => sock.destroy()
  };
}

beforeAll(async () => {
  if (!rbAvailable()) throw new Error("lrzsz is not installed (rb --ymodem is the test's receiver): apt-get install -y lrzsz");
  ensureKalumaRunner(); // builds JerryScript 3.0.0 on first use (minutes), then cached
  echo = await buildBundle({ board: "rpi-pico", entry: "examples/echo", outDir: join(work, "build") });
}, 900000);

afterAll(async () => {
  console.log(["Kaluma YMODEM flash figures (YMODEM paced to 115200 baud):", ...figures].join("\n  "));
  for (const b of running) await b.close();
  for (const p of ptys) p.close();
  rmSync(work, { recursive: true, force: true });
});

describe("cell flash --board rpi-pico (Kaluma .flash -w + YMODEM-1K)", () => {
  it("writes the bundle through a pty: rb receives it byte for byte, and it boots on JerryScript and answers a typed call", async () => {
    const board = await ptyBoard();
    const r = await cell(["flash", "--board", "rpi-pico", "--port", board.path, echo.path, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ board: "rpi-pico", method: "kaluma-ymodem", port: board.path, bytes: echo.bytes });
    expect(report.verified).toMatch(
      new RegExp(
        `^${Math.ceil(echo.bytes / 1024)} YMODEM blocks CRC-16 checked by the board \\(0 sent again; data blocks at \\d+ B/s\\), which stored ${echo.bytes} bytes`
      )
    );
    expect(Buffer.compare(readFileSync(board.repl.program), readFileSync(echo.path))).toBe(0);
    expect(board.repl.lines.filter((l) => l.startsWith("."))).toEqual([".flash -w", ".flash -s", ".load"]);
    const ceiling = WIRE_115200;
    const dataRate = Number(/data blocks at (\d+) B\/s/.exec(report.verified)![1]);
    figures.push(
      `${echo.bytes} bytes in ${report.ms} ms from the receiver's first "C" to the last ACK: ${report.bytesPerSecond} B/s, ` +
        `${Math.round((100 * report.bytesPerSecond) / ceiling)}% of the ${ceiling} B/s wire (rb waits ~1 s on EOT and ~1 s before asking for the closing block 0)`,
      `data blocks alone: ${dataRate} B/s, ${Math.round((100 * dataRate) / ceiling)}% of the wire (1029 bytes a block, one ACK per block)`
    );

    const jerry = running[running.length - 1];
    const link = streamLink(jerry, { maxFrame: 1024 });
    try {
      expect(await remote(Echo, link, { timeoutMs: 10000 }).echo("flashed over YMODEM")).toBe("flashed over YMODEM");
    } finally {
      link.close();
    }
  }, 120000);

  it("builds a cell module first, shows progress as lines on a pipe and says what it wrote and what runs", async () => {
    const board = await ptyBoard();
    const r = await cell(["flash", "--board", "rpi-pico", "--port", board.path, "examples/echo"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^built build\/rpi-pico\/echo\.js: \d+ bytes/m);
    expect(r.stderr).toContain(`asking the Kaluma REPL at ${board.path} which board it is`);
    expect(r.stderr).toContain(`writing ${echo.bytes} bytes to Kaluma 1.1.0 on pico with YMODEM-1K (.flash -w)`);
    expect(r.stderr).toMatch(new RegExp(`${echo.bytes} of ${echo.bytes} bytes \\(100%\\)`));
    expect(r.stderr).toContain("verifying: .flash -s");
    expect(r.stdout).toMatch(new RegExp(`^flashed ${echo.bytes} bytes to rpi-pico at ${board.path} in \\d+ ms \\(\\d+ B/s\\)`));
    expect(r.stdout).toContain(`cell    echo: ${Echo.schema}`);
  }, 120000);

  it("refuses a board that says it is another one (exit 3, nothing written), unless --force", async () => {
    const board = await ptyBoard({ boardName: "pico-w" });
    const r = await cell(["flash", "--board", "rpi-pico", "--port", board.path, echo.path]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split("\n").pop()).toMatch(
      /says it is a Kaluma "pico-w", not rpi-pico \("pico"\); nothing was written \(--force/
    );
    expect(board.repl.lines).not.toContain(".flash -w");
    expect(existsSync(board.repl.program)).toBe(false);
    const forced = await cell(["flash", "--board", "rpi-pico", "--port", board.path, echo.path, "--force"]);
    expect(forced.status).toBe(0);
    expect(forced.stderr).toMatch(/writing anyway \(--force\)/);
    expect(Buffer.compare(readFileSync(board.repl.program), readFileSync(echo.path))).toBe(0);
  }, 120000);

  it("a board that goes away mid-transfer (tcp://): one clear line, exit 5; the next flash works", async () => {
    const dir = mkdtempSync(join(work, "tcp-"));
    const repls: KalumaRepl[] = [];
    const server: Server = createServer((sock) => {
      // Until one transfer was cut, the board goes away once its receiver has 2.6 KB: in the third data
      // block. (cell flash's checkPort connects once before, without a word.)
      const cut = !repls.some((r) => r.lines.includes(".flash -w"));
      repls.push(new KalumaRepl(socketPort(sock), { dir, bytesPerSecond: WIRE_115200, closeAfterBytes: cut ? 2600 : undefined }));
    });
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
    const url = `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const cut = await cell(["flash", "--board", "rpi-pico", "--port", url, echo.path]);
      expect(cut.status).toBe(5);
      const last = cut.stderr.trim().split("\n").pop()!;
      expect(last).toMatch(
        new RegExp(
          `^cell flash: the board at ${url} went away \\(.*\\) during the transfer \\(\\d+ of ${echo.bytes} bytes acknowledged\\); flash again once it is back$`
        )
      );
      expect(cut.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const again = await cell(["flash", "--board", "rpi-pico", "--port", url, echo.path]);
      expect(again.status).toBe(0);
      expect(Buffer.compare(readFileSync(join(dir, "program.js")), readFileSync(echo.path))).toBe(0);
    } finally {
      server.close();
    }
  }, 120000);

  it("sends again the blocks rb reports bad (its --errors makes up CRC errors): the file is still byte for byte", async () => {
    const board = await ptyBoard({ rbArgs: ["--errors", "4000"] });
    const r = await cell(["flash", "--board", "rpi-pico", "--port", board.path, echo.path, "--json"]);
    expect(r.status).toBe(0);
    const resent = Number(/\((\d+) sent again/.exec(JSON.parse(r.stdout).verified)![1]);
    expect(resent).toBeGreaterThan(0);
    expect(Buffer.compare(readFileSync(board.repl.program), readFileSync(echo.path))).toBe(0);
    figures.push(`with rb making up a CRC error every 4000 bytes: ${resent} block(s) sent again, file intact`);
  }, 120000);

  it("a board that cancels (rb's CANs): exit 3 with the block it stopped at; the next flash on the same port works", async () => {
    const board = await ptyBoard({ cancelAfterBytes: 3000 });
    const r = await cell(["flash", "--board", "rpi-pico", "--port", board.path, echo.path]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split("\n").pop()).toMatch(
      /^cell flash: the receiver cancelled the transfer \(CAN CAN\) at block \d+ of \d+; it may hold a partial program until the next flash: flash again$/
    );
    const again = await cell(["flash", "--board", "rpi-pico", "--port", board.path, echo.path]);
    expect(again.status).toBe(0);
    expect(board.repl.transfers).toBe(2);
    expect(Buffer.compare(readFileSync(board.repl.program), readFileSync(echo.path))).toBe(0);
  }, 120000);

  it("says when nothing is at --port (exit 4) and when what is there is no Kaluma REPL (exit 4)", async () => {
    const none = await cell(["flash", "--board", "rpi-pico", "--port", join(work, "no-such-tty"), echo.path]);
    expect(none.status).toBe(4);
    expect(none.stderr.trim()).toBe(
      `cell flash: no serial port at ${join(work, "no-such-tty")} (is the board plugged in? \`cell ports\` lists the ports)`
    );
    const refused = await cell(["flash", "--board", "rpi-pico", "--port", "tcp://127.0.0.1:1", echo.path]);
    expect(refused.status).toBe(4);
    expect(refused.stderr).toMatch(/^cell flash: nothing listens at tcp:\/\/127\.0\.0\.1:1/);
    const silent = await openPty(); // a port nobody answers on
    ptys.push(silent);
    silent.port.onData(() => {});
    const mute = await cell(["flash", "--board", "rpi-pico", "--port", silent.path, echo.path, "--timeout", "1500"]);
    expect(mute.status).toBe(4);
    expect(mute.stderr.trim().split("\n").pop()).toBe(
      `cell flash: no Kaluma REPL answered at ${silent.path} within 1500 ms (is Kaluma running on it?)`
    );
  }, 120000);

  it("a program that does not start: stored, then exit 3 with the engine's error", async () => {
    const broken = join(work, "broken.js");
    writeFileSync(broken, "var cell = function (f) {");
    const board = await ptyBoard();
    const r = await cell(["flash", "--board", "rpi-pico", "--port", board.path, broken]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split("\n").pop()).toMatch(/^cell flash: the program was stored but does not run: .*SyntaxError/);
    expect(readFileSync(board.repl.program, "utf8")).toBe("var cell = function (f) {");
  }, 120000);
});
