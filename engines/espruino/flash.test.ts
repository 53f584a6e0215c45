// `cell flash` onto Espruino 2v29 (stock, the byte-losing release boards run today) as a user runs it:
// the real CLI process, the board's console on a serial port (a pty) or a TCP bridge, the REPL upload,
// then typed calls over the board's link, before and after a power cycle. See console-board.ts.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle } from "../../firmware/build";
import { startConsoleBoard, ConsoleBoard } from "./console-board";
import { openSerial } from "../../transports/serial";
import { remote } from "../../core/host/remote";
import { Echo } from "../../examples/echo/schema";
import { Thermo } from "../../examples/thermo/schema";
import { crc32, EspruinoRepl } from "../../transports/espruino/repl";
import { storageCost } from "../../transports/espruino/staged-upload";
import { parseTcpTarget } from "../../transports/serial";
import { tcpMedium } from "../../transports/tcp-medium";
import { boardPacing, pacedPort } from "../../transports/pacing";
import { openPty } from "../../transports/pty";
import { waitFor } from "../../test/wait-for";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CELL = join(ROOT, "cli/bin/cell.mjs");
const out = mkdtempSync(`${tmpdir()}/cell-espruino-flash-`);
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as its own process; asynchronous, since the board it talks to is relayed by this process. */
function cell(args: string[], timeoutMs = 300000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CELL, ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Per exchange with the board: an engine under qemu-i386 on a loaded machine can be slow to answer a line. */
const SLOW = ["--timeout", "30000"];

function board(id: string) {
  return JSON.parse(readFileSync(new URL(`../../boards/${id}.json`, import.meta.url), "utf8"));
}

/** A typed call over the board's link, retried while the board (re)boots. */
async function onLink<T>(b: ConsoleBoard, id: string, call: (link: Awaited<ReturnType<typeof openSerial>>) => Promise<T>): Promise<T> {
  const spec = board(id);
  const link = await openSerial(b.linkUrl, { maxFrame: spec.maxFrameBytes + 20, pacing: boardPacing(spec, "stock") });
  try {
    return await call(link);
  } finally {
    link.close();
  }
}

/** The staging file in the board's flash: "live", or "none" (never written, or erased: Storage zeroes a name's first 4 bytes). */
function staging(b: ConsoleBoard): "live" | "none" {
  return b.flash().includes(Buffer.from(".cell-staging\0", "latin1")) ? "live" : "none";
}

/** Whether the live .boot0 in the board's flash now holds the same bytes as in `before` (a copy of the flash). */
function bootFile(b: ConsoleBoard, before: Buffer): boolean {
  const find = (flash: Buffer) => {
    const name = Buffer.alloc(28);
    name.write(".boot0", "latin1");
    const at = flash.indexOf(name);
    if (at < 4) return null;
    const size = flash.readUInt32LE(at - 4) & 0xffffff;
    return flash.subarray(at + 28, at + 28 + size);
  };
  const was = find(before);
  const now = find(b.flash());
  return !!was && !!now && was.equals(now);
}

/** A REPL on the board's TCP console (while no flasher has it), paced as the flasher paces it. */
async function onConsole<T>(b: ConsoleBoard, use: (repl: EspruinoRepl) => Promise<T>): Promise<T> {
  const { port } = parseTcpTarget(b.consoleUrl)!;
  let medium: { write(b: Uint8Array): void; close(): void } | null = null;
  const repl = new EspruinoRepl({ write: (bytes) => paced.write(bytes) }, { timeoutMs: 30000 });
  medium = await tcpMedium("127.0.0.1", port, 3000)({ data: (d) => repl.feed(d), lost: () => repl.lost("console closed") });
  const paced = pacedPort({ write: (d) => medium!.write(d), onData() {} }, boardPacing(board("esp32"))!);
  try {
    await repl.attach();
    return await use(repl);
  } finally {
    medium.close();
  }
}

/** The end of what the board's console printed, for a failure's message. */
function tail(b: ConsoleBoard): string {
  return `\nthe board printed, last 3000 characters:\n${JSON.stringify(b.output.slice(-3000))}`;
}

function figures(r: Run): string {
  const m = /flashed (\d+) bytes to \S+ at \S+ in (\d+) ms \((\d+) B\/s\); (read back \d+ bytes, CRC32 0x[0-9a-f]{8})/.exec(r.stdout);
  expect(m, r.stdout + r.stderr).not.toBeNull();
  return `${m![1]} bytes in ${m![2]} ms, ${m![3]} B/s; ${m![4]}`;
}

describe("cell flash --board esp32 onto Espruino 2v29 (stock) on a serial port", () => {
  let b: ConsoleBoard;
  let echo: { path: string; bytes: number };
  let thermo: { path: string; bytes: number };

  beforeAll(async () => {
    echo = await buildBundle({ board: "esp32", entry: "examples/echo", outDir: out });
    thermo = await buildBundle({ board: "esp32", entry: "examples/thermo", outDir: out });
    b = await startConsoleBoard({ board: "esp32" });
  }, 600000);

  afterAll(async () => {
    if (b) await b.close();
  });

  it("says in one line, exit 2 for a malformed --port, exit 4 when the port is not there, nothing listens, nothing answers, or it is busy", async () => {
    const missing = await cell(["flash", "--board", "esp32", "--port", "/dev/cell-no-such-port", echo.path]);
    expect(missing.status).toBe(4);
    expect(missing.stderr.trim()).toMatch(/^cell flash: serial port \/dev\/cell-no-such-port does not exist[^\n]*$/);
    const refused = await cell(["flash", "--board", "esp32", "--port", "tcp://127.0.0.1:1", echo.path]);
    expect(refused.status).toBe(4);
    expect(refused.stderr.trim()).toMatch(/^cell flash: nothing accepts connections at tcp:\/\/127\.0\.0\.1:1[^\n]*$/);
    const malformed = await cell(["flash", "--board", "esp32", "--port", "tcp://nowhere", echo.path]);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr.trim()).toMatch(
      /^cell flash: --port tcp:\/\/nowhere: "tcp:\/\/nowhere" is not tcp:\/\/host:port \(usage: cell flash [^\n]*\)$/
    );
    const silent = await openPty();
    try {
      const mute = await cell(["flash", "--board", "esp32", "--port", silent.path, "--timeout", "2000", echo.path]);
      expect(mute.status).toBe(4);
      expect(mute.stderr.trim().split("\n").pop()).toMatch(
        /^cell flash: no Espruino prompt at \/dev\/pts\/\d+ within 2000 ms \(is it an Espruino board, its console on this port\?\)$/
      );
    } finally {
      silent.close();
    }
    const { SerialPort } = await import("serialport");
    const holder = new SerialPort({ path: b.consolePath, baudRate: 115200, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
    try {
      const busy = await cell(["flash", "--board", "esp32", "--port", b.consolePath, echo.path]);
      expect(busy.status).toBe(4);
      expect(busy.stderr.trim()).toMatch(/^cell flash: serial port \/dev\/pts\/\d+ is busy: another program has it open$/);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 120000);

  it("refuses a board that says it is another board (exit 3, nothing written); --force writes", async () => {
    const plain = join(out, "plain.js");
    writeFileSync(plain, "var plainBundle = 1;\n");
    const before = b.flash();
    const wrong = await cell(["flash", ...SLOW, "--board", "espruino-pico", "--port", b.consolePath, plain]);
    expect(wrong.status).toBe(3);
    expect(wrong.stderr).toMatch(
      /cell flash: the board at \/dev\/pts\/\d+: it says it is ESP32_IDF4, not espruino-pico \(PICO_R1_3\); nothing was written \(--force/
    );
    expect(b.flash().equals(before)).toBe(true);
    const forced = await cell(["flash", ...SLOW, "--board", "espruino-pico", "--force", "--port", b.consolePath, plain]);
    expect(forced.stderr).toContain("--force: writing although it says it is ESP32_IDF4");
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain(`read back 21 bytes, CRC32 0x${crc32(readFileSync(plain)).toString(16).padStart(8, "0")}`);
  }, 300000);

  it("writes the bundle through the REPL, verifies it, load()s it: the cell answers on the link, and again after a power cycle", async () => {
    const r = await cell(["flash", ...SLOW, "--board", "esp32", "--port", b.consolePath, echo.path]);
    expect(r.status, r.stderr + tail(b)).toBe(0);
    expect(r.stderr).toMatch(/^asking the board at \/dev\/pts\/\d+ which board it is\n/);
    expect(r.stderr).toContain("the board is ESP32_IDF4, Espruino 2v29; writing");
    expect(r.stderr).toContain("verifying: the board reads .cell-staging back (length and E.CRC32)");
    expect(r.stderr).toContain("copying .cell-staging into .boot0 on the board, verifying it (length and E.CRC32), erasing .cell-staging");
    expect(staging(b)).toBe("none");
    expect(r.stdout).toContain(`read back ${echo.bytes} bytes, CRC32 0x${crc32(readFileSync(echo.path)).toString(16).padStart(8, "0")}`);
    expect(r.stdout).toContain("cell    echo: " + Echo.schema);
    console.log(`esp32 stock, echo over the console pty, paced ${JSON.stringify(board("esp32").ports.link.pacing)}: ${figures(r)}`);
    const opts = { timeoutMs: 20000, retries: 3 };
    expect(await onLink(b, "esp32", (link) => remote(Echo, link, opts).echo("after flash ✓"))).toBe("after flash ✓");
    const boots = b.boots;
    await b.powerCycle();
    expect(b.boots).toBe(boots + 1);
    expect(await onLink(b, "esp32", (link) => remote(Echo, link, opts).echo("after power cycle"))).toBe("after power cycle");
  }, 600000);

  it("a pulled cable (the console's pty goes away mid-way) ends with exit 5 and one line; after a power cycle the old bundle runs", async () => {
    const port = b.consolePath;
    const before = b.flash();
    b.unplugConsoleAfter(2500);
    const cut = await cell(["flash", ...SLOW, "--board", "esp32", "--port", port, thermo.path]);
    expect(cut.status, cut.stderr).toBe(5);
    expect(cut.stderr.trim().split("\n").pop()).toMatch(
      /^cell flash: \/dev\/pts\/\d+ closed[^\n]* during the transfer after \d+ of \d+ bytes; \.boot0 on the board is unchanged \(the old bundle runs at boot\): flash again$/
    );
    await waitFor("the console on a new pty", () => b.replugs === 1, 30000);
    expect(staging(b)).toBe("live"); // the partial transfer is in the staging file
    expect(bootFile(b, before)).toBe(true); // .boot0 holds echo's bytes, as before the flash
    await b.powerCycle();
    const opts = { timeoutMs: 20000, retries: 3 };
    expect(await onLink(b, "esp32", (link) => remote(Echo, link, opts).echo("the old bundle"))).toBe("the old bundle");
  }, 300000);

  it("an interrupted transfer (the TCP peer closes mid-way) ends with exit 5 and one line; the next flash gives a working board", async () => {
    b.dropConsoleClientAfter(3000);
    const cut = await cell(["flash", ...SLOW, "--board", "esp32", "--port", b.consoleUrl, thermo.path]);
    expect(cut.status, cut.stderr).toBe(5);
    const last = cut.stderr.trim().split("\n").pop()!;
    expect(last).toMatch(
      /^cell flash: tcp:\/\/127\.0\.0\.1:\d+ closed during the transfer after \d+ of \d+ bytes; \.boot0 on the board is unchanged \(the old bundle runs at boot\): flash again$/
    );
    const again = await cell(["flash", ...SLOW, "--board", "esp32", "--port", b.consoleUrl, thermo.path]);
    expect(again.status, again.stderr + tail(b)).toBe(0);
    expect(staging(b)).toBe("none"); // the stale one was erased first, the new one after the copy
    console.log(`esp32 stock, thermo over the TCP console: ${figures(again)}`);
    const opts = { timeoutMs: 20000, retries: 3 };
    expect((await onLink(b, "esp32", (link) => remote(Thermo, link, opts).read("C"))).unit).toBe("C");
    await b.powerCycle();
    expect((await onLink(b, "esp32", (link) => remote(Thermo, link, opts).read("C"))).unit).toBe("C");
  }, 600000);

  it("Storage with room for the bundle only once: a WARNING and .boot0 written directly; no room at all: exit 3, nothing written", async () => {
    const echoBytes = readFileSync(echo.path);
    // Thermo runs. A file that takes all but the room wanted, made with one line (Storage makes it whole).
    const spare = await onConsole(b, async (repl) => {
      const [free, trash, old] = (
        await repl.evaluate(
          `(function(g,b){return g.freeBytes+","+g.trashBytes+","+b.length})(require("Storage").getStats(),require("Storage").read(".boot0"))`
        )
      )
        .split(",")
        .map(Number);
      const need = storageCost(echoBytes.length);
      const target = Math.max(0, need - storageCost(old)) + Math.floor(Math.min(storageCost(old), need) / 2);
      const filler = free + trash - target - 32 - 8;
      expect(await repl.evaluate(`require("Storage").write("filler","x",0,${filler})`)).toBe("true");
      return target;
    });
    const once = await cell(["flash", ...SLOW, "--board", "esp32", "--port", b.consolePath, echo.path]);
    expect(once.status, once.stderr + tail(b)).toBe(0);
    expect(once.stderr).toMatch(
      /WARNING: the board's Storage has room for the bundle only once \(\d+ bytes free, \d+ reclaimable\): writing \.boot0 directly, without a staging file/
    );
    expect(once.stderr).toContain("compacted the board's Storage"); // the old .boot0 erased and reclaimed before the transfer
    expect(once.stderr).toContain("verifying: the board reads .boot0 back (length and E.CRC32)");
    expect(staging(b)).toBe("none");
    const opts = { timeoutMs: 20000, retries: 3 };
    expect(await onLink(b, "esp32", (link) => remote(Echo, link, opts).echo("flashed directly"))).toBe("flashed directly");
    console.log(`esp32 stock, echo with ${spare} B of Storage to spare: ${figures(once)}`);
    // Now a bundle bigger than all Storage left.
    const big = join(out, "big.js");
    writeFileSync(big, `var big = "${"x".repeat(spare + echoBytes.length + 4096)}";\n`);
    const before = b.flash();
    const none = await cell(["flash", ...SLOW, "--board", "esp32", "--port", b.consolePath, big]);
    expect(none.status, none.stderr).toBe(3);
    expect(none.stderr.trim().split("\n").pop()).toMatch(
      /^cell flash: the bundle \(\d+ bytes\) does not fit in the board's Storage \(\d+ bytes free, \d+ reclaimable, \d+ in \.boot0\); nothing was written$/
    );
    expect(bootFile(b, before)).toBe(true);
  }, 600000);
});

for (const id of ["puckjs", "espruino-pico"]) {
  describe(`cell flash --board ${id} onto Espruino 2v29 (stock) on a serial port`, () => {
    let b: ConsoleBoard;
    let echo: { path: string; bytes: number };

    beforeAll(async () => {
      echo = await buildBundle({ board: id, entry: "examples/echo", outDir: out });
      b = await startConsoleBoard({ board: id });
    }, 600000);

    afterAll(async () => {
      if (b) await b.close();
    });

    it("flashes echo; it answers on the link; flashed again while it runs, and after a power cycle, it answers again", async () => {
      const opts = { timeoutMs: 20000, retries: 3 };
      const first = await cell(["flash", ...SLOW, "--board", id, "--port", b.consolePath, echo.path]);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toContain(`read back ${echo.bytes} bytes`);
      console.log(`${id} stock, echo over the console pty: ${figures(first)}`);
      expect(await onLink(b, id, (link) => remote(Echo, link, opts).echo("first"))).toBe("first");
      // Now the cell runs (on the Puck it has moved the console to LoopbackA): the REPL is still reachable.
      const second = await cell(["flash", ...SLOW, "--board", id, "--port", b.consolePath, echo.path]);
      expect(second.status, second.stderr).toBe(0);
      expect(await onLink(b, id, (link) => remote(Echo, link, opts).echo("second"))).toBe("second");
      await b.powerCycle();
      expect(await onLink(b, id, (link) => remote(Echo, link, opts).echo("after power cycle"))).toBe("after power cycle");
    }, 600000);
  });
}
