// The rpi-pico bundles on JerryScript 3.0.0 itself (jerry-kaluma: the engine built from the vendored
// sources with Kaluma's options and the board's 180 KB heap, plus the part of Kaluma's API they use),
// called through the host bridge from a UDP client with full types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, type BundleInfo } from "../../firmware/build";
import { loadBoard } from "../../firmware/build";
import { streamLink } from "../../core/stream-link";
import { remote } from "../../core/host/remote";
import { cell, method, t } from "../../core/schema";
import { ErrorCode } from "../../core/errors";
import { createBridge, type Bridge } from "../../host-bridge";
import { openUdp, type UdpTransport } from "../../transports/udp";
import { openSocket, socketLink } from "../../sim/tcp-port";
import { Echo } from "../../examples/echo/schema";
import { Thermo } from "../../examples/thermo/schema";
import { Text } from "./fixtures/text-schema";
import { ensureKalumaRunner } from "./build";
import { startKaluma, type KalumaBoard } from "./kaluma";
import type { BytePort } from "../../core/byte-port";

const BOARD = loadBoard("rpi-pico");
const MAX_FRAME = BOARD.maxFrameBytes;
const out = mkdtempSync(join(tmpdir(), "cell-jerry-"));
const bundles: Record<string, BundleInfo> = {};
const figures: string[] = [];

beforeAll(async () => {
  const t0 = Date.now();
  const r = ensureKalumaRunner();
  figures.push(
    `jerry-kaluma (${r.bits}-bit): JerryScript ${r.jerry.built ? `built in ${r.jerry.ms} ms` : "from the cache"}, ready in ${Date.now() - t0} ms`
  );
  for (const [name, entry] of Object.entries({
    echo: "examples/echo",
    thermo: "examples/thermo",
    text: "engines/jerryscript/fixtures/text.ts"
  })) {
    bundles[name] = await buildBundle({ board: "rpi-pico", entry, outDir: out });
  }
  figures.push(`bundles for rpi-pico: echo ${bundles.echo.bytes} B, thermo ${bundles.thermo.bytes} B, echo+text ${bundles.text.bytes} B`);
}, 900000);

afterAll(() => {
  console.log(["JerryScript (Kaluma) figures:", ...figures].join("\n  "));
  rmSync(out, { recursive: true, force: true });
});

/** A bridge with the board on its device side and a UDP client on the network side. */
async function bridged(board: KalumaBoard): Promise<{ bridge: Bridge; client: UdpTransport; server: UdpTransport; close(): void }> {
  const bridge = createBridge({ log: () => {} });
  bridge.addLink(streamLink(board, { maxFrame: MAX_FRAME }), { role: "device", name: "pico" });
  const server = await openUdp({ listen: "127.0.0.1:0" });
  bridge.addLink(server, { role: "network", name: "udp" });
  const client = await openUdp(`127.0.0.1:${server.local.port}`);
  return {
    bridge,
    client,
    server,
    close() {
      client.close();
      bridge.close();
    }
  };
}

async function waitFor(what: string, check: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("echo (with the text fixture) for rpi-pico on JerryScript", () => {
  let board: KalumaBoard;
  let net: Awaited<ReturnType<typeof bridged>>;
  let echo: ReturnType<typeof remote<typeof Echo.members>>;
  let text: ReturnType<typeof remote<typeof Text.members>>;
  const counts: number[] = [];

  beforeAll(async () => {
    board = await startKaluma({ bundle: bundles.text.path });
    net = await bridged(board);
    echo = remote(Echo, net.client, { timeoutMs: 8000 });
    text = remote(Text, net.client, { timeoutMs: 8000 });
    // The bridge learns the cells from the board's ANNOUNCE, sent once the link is up.
    await waitFor("echo at the bridge", () => net.bridge.cells().some((c) => c.cellId === Echo.id), 20000);
    await echo.on("count", (n) => counts.push(n));
    figures.push(
      `heap (jerry_heap_stats, bytes): after Kaluma's modules ${board.ready.heapUsed}, after the bundle started ${board.started.heapUsed} of ${board.started.heapTotal}`
    );
  }, 60000);

  afterAll(async () => {
    if (net) net.close();
    if (board) await board.close();
  });

  it("answers typed calls with ASCII and BMP text through the bridge, and sends its count events", async () => {
    expect(await echo.echo("hello, pico")).toBe("hello, pico");
    expect(await echo.echo("héllo ✓ 日本")).toBe("héllo ✓ 日本");
    expect(await echo.echo("")).toBe("");
    const before = counts.length;
    expect(await Promise.all(["a", "b", "c"].map((s) => echo.echo(s)))).toEqual(["a", "b", "c"]);
    await waitFor("3 count events", () => counts.length >= before + 3);
    expect(counts[before + 2] - counts[before]).toBe(2);
    expect(board.warnings).toEqual([]);
    expect(board.uncaught).toEqual([]);
  });

  it("counts BMP text as the host does", async () => {
    expect(await text.length("héllo ✓ 日本")).toBe("héllo ✓ 日本".length);
  });

  // Needs UTF-8 that is right for characters above U+FFFF on Kaluma. Kaluma replaces
  // encodeURIComponent/decodeURIComponent with its own, which work on CESU-8 bytes (README.md): with
  // core/lite/utf8.ts going through them, an emoji leaves the board as 6 bytes (two encoded
  // surrogates) and arrives as a string JerryScript reads as garbage. Kaluma's TextEncoder and
  // TextDecoder give real UTF-8; the per-engine strategy of core/lite/utf8.ts is to use them here.
  it("keeps characters above U+FFFF intact both ways (emoji)", async () => {
    const s = "🚀 héllo ✓ 日本 😀";
    expect(await text.length(s)).toBe(s.length);
    expect(await text.fromCodes([0xd83d, 0xde80])).toBe("🚀");
    expect(await echo.echo(s)).toBe(s);
    expect(board.warnings).toEqual([]);
  });

  it("answers payloads up to the board's largest frame, and the host refuses larger ones", async () => {
    // COMPACT string: 2-byte length prefix for 128..16383 bytes, after the 20-byte header.
    const largest = "x".repeat(MAX_FRAME - 20 - 2);
    expect(await echo.echo(largest)).toBe(largest);
    await expect(echo.echo(largest + "x")).rejects.toMatchObject({ codeName: "TooLarge" });
  });

  it("passes a thrown CellError's code, and answers UnknownMethod for a method it lacks", async () => {
    await expect(text.fail(8)).rejects.toMatchObject({ code: ErrorCode.Overloaded, message: "asked to fail with 8" });
    expect(await text.fail(99)).toBe(99);
    // Same cell, another signature: another method id, which the board does not serve.
    const Other = cell("echo", { echo: method(t.u32, t.u32) });
    await expect(remote(Other, net.client, { timeoutMs: 8000 }).echo(5)).rejects.toMatchObject({ code: ErrorCode.UnknownMethod });
  });

  it("keeps serving after garbage, truncated frames and a frame longer than its largest", async () => {
    const noise = new Uint8Array(3000).map((_, i) => (i * 73 + 19) & 255);
    for (let i = 0; i < noise.length; i += 97) noise[i] = 0;
    board.write(noise);
    board.write(new Uint8Array([0x03, 0xce, 0x01, 0x00])); // a frame cut short by the delimiter
    board.write(new Uint8Array(MAX_FRAME + 200).fill(0x41)); // longer than the board's receive buffer
    board.write(new Uint8Array([0]));
    expect(await echo.echo("still here")).toBe("still here");
    expect(board.uncaught).toEqual([]);
  });

  it("answers 1,000 calls of random sizes with no wrong answer and no heap growth", async () => {
    // Warm-up: first uses of code paths allocate once (property tables, strings the engine keeps).
    for (let i = 0; i < 50; i++) await echo.echo("w".repeat(i * 19));
    const warm = await board.gcHeap();
    let wrong = 0;
    const started = Date.now();
    const alphabet = "abcxyz é✓日";
    for (let i = 0; i < 1000; i++) {
      const n = Math.floor(Math.random() * 300);
      let s = "";
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
      if ((await echo.echo(s)) !== s) wrong++;
    }
    const perCall = (Date.now() - started) / 1000;
    const after = await board.gcHeap();
    figures.push(
      `1,000 echo calls through the bridge: ${wrong} wrong, ${perCall.toFixed(2)} ms per call; heap after start ${board.started.heapUsed}, after 50 warm-up calls ${warm.heapUsed}, after 1,000 more ${after.heapUsed} (peak ${after.heapPeak} of ${after.heapTotal})`
    );
    expect(wrong).toBe(0);
    expect(after.heapUsed).toBeLessThanOrEqual(warm.heapUsed);
    expect(after.heapPeak).toBeLessThan(after.heapTotal);
  }, 300000);
});

describe("a burst larger than Kaluma's read buffer while the rpi-pico cell is busy (kaluma-uart-rx.c)", () => {
  it("loses the bytes the ring wrote over, drops the cut frame, answers the whole ones; lost calls retry or time out, never a wrong answer", async () => {
    const board = await startKaluma({ bundle: bundles.text.path });
    // The host's side of the UART, recording the frames it writes during the burst (one write per frame).
    let recording: number[] | null = null;
    const port: BytePort = {
      write(bytes) {
        if (recording) recording.push(bytes.length);
        board.write(bytes);
      },
      onData: (cb) => board.onData(cb),
      onClose: (cb) => board.onClose!(cb),
      onError: (cb) => board.onError!(cb)
    };
    const link = streamLink(port, { maxFrame: MAX_FRAME });
    let retried = 0;
    const echo = remote(Echo, link, { timeoutMs: 3000, retries: 1, onRetry: () => retried++ });
    const text = remote(Text, link, { timeoutMs: 3000 });
    try {
      expect(await echo.echo("ready")).toBe("ready");
      const busy = text.busy(2500, { timeoutMs: 15000 });
      await waitFor("the cell busy", () => board.logs.includes("busy 2500"));
      // About 700 bytes a frame, 4 frames: more than the 2048-byte ring while nothing reads it.
      const frames: number[] = (recording = []);
      const words = ["a", "b", "c", "d"].map((c) => c.repeat(670));
      const calls = words.map((w, i) =>
        (i === 1 ? text.length(w) : echo.echo(w)).then(
          (value) => ({ value }),
          (error: { codeName?: string }) => ({ error: error.codeName })
        )
      );
      expect(await busy).toBe(2500);
      recording = null;
      const results = await Promise.all(calls);

      // The model (src/ringbuffer.c): B bytes written with no read in between show as their last B mod 2048.
      const received = frames.reduce((a, b) => a + b, 0);
      const kept = received % 2048;
      const cut = received - kept;
      expect(board.overruns).toEqual([{ port: 0, received, lost: cut, kept }]);
      let start = 0;
      const fate = frames.map((len) => {
        const f = start >= cut ? "whole" : start + len > cut ? "cut" : "lost";
        start += len;
        return f;
      });
      expect(fate).toContain("cut"); // the cell's link drops it (its CRC or COBS does not hold)
      expect(fate).toContain("whole");
      // A whole frame is answered at once; a lost or cut one times out: echo (idempotent) is sent again
      // and answered, length is not and fails TimedOut. No call gets another call's answer.
      results.forEach((r, i) => {
        if (fate[i] === "whole" || i !== 1) expect(r).toEqual({ value: i === 1 ? 670 : words[i] });
        else expect(r).toEqual({ error: "TimedOut" });
      });
      expect(retried).toBe(fate.filter((f, i) => f !== "whole" && i !== 1).length);
      expect(link.stats.drops).toEqual({}); // nothing damaged came back
      expect(await echo.echo("after")).toBe("after");
      expect(board.uncaught).toEqual([]);
      figures.push(`burst of ${received} B while busy: ${cut} lost, ${kept} kept; frames ${fate.join(", ")}; ${retried} retried`);
    } finally {
      link.close();
      await board.close();
    }
  }, 60000);
});

describe("thermo for rpi-pico on JerryScript", () => {
  it("reads the analog sensor, converts units, and fires its alarm once the threshold is crossed", async () => {
    // TMP36 on GP26: analogRead 0.25 of 3.3 V is 825 mV, 32.5 °C.
    const board = await startKaluma({ bundle: bundles.thermo.path, adc: { 26: 0.25 } });
    const net = await bridged(board);
    try {
      const thermo = remote(Thermo, net.client, { timeoutMs: 8000 });
      await waitFor("thermo at the bridge", () => net.bridge.cells().some((c) => c.cellId === Thermo.id), 20000);
      const c = await thermo.read("C");
      expect(c.unit).toBe("C");
      expect(c.value).toBeCloseTo(32.5, 3);
      expect((await thermo.read("F")).value).toBeCloseTo(90.5, 3);
      const alarms: { value: number; threshold: number }[] = [];
      await thermo.on("alarm", (a) => alarms.push(a));
      expect(await thermo.setThreshold(40)).toBe(30);
      expect(await thermo.setThreshold(31)).toBe(40);
      // The interval samples once a second; an alarm for the first threshold may come before.
      await waitFor("an alarm at 31 °C", () => alarms.some((a) => a.threshold === 31), 5000);
      expect(alarms.find((a) => a.threshold === 31)!.value).toBeCloseTo(32.5, 3);
      expect(board.uncaught).toEqual([]);
    } finally {
      net.close();
      await board.close();
    }
  }, 60000);
});

describe("cell sim --board rpi-pico", () => {
  it("runs the bundle on jerry-kaluma with its UART on a pty served at tcp://127.0.0.1:PORT, and stops on SIGTERM", async () => {
    const root = join(__dirname, "../..");
    const sim = spawn(process.execPath, [join(root, "cli/bin/cell.mjs"), "sim", "--board", "rpi-pico", bundles.echo.path], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    });
    let out = "";
    sim.stdout.on("data", (b: Buffer) => (out += b.toString()));
    sim.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => sim.on("exit", (code) => r(code)));
    try {
      await waitFor("the board's report", () => /running; Ctrl-C/.test(out) || sim.exitCode !== null, 60000);
      expect(out).toMatch(/uart {4}tcp:\/\/127\.0\.0\.1:\d+ {3}\(UART0 on \/dev\/pts\/\d+\)/);
      expect(out).toMatch(/cell {4}echo: cell echo\{echo\(string\)->string;event count\(u32\)\}\n/);
      const port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const line = `cell bridge --board rpi-pico --serial tcp://127.0.0.1:${port} --udp 127.0.0.1:7420`;
      expect(out).toContain(`  bridge  ${line}\n`);
      const sock = await openSocket({ host: "127.0.0.1", port });
      try {
        const echo = remote(Echo, socketLink(sock, MAX_FRAME), { timeoutMs: 8000 });
        expect(await echo.echo("héllo ✓ 日本")).toBe("héllo ✓ 日本");
      } finally {
        sock.destroy();
      }
      // The printed bridge line, run as it is but on a free UDP port (7420 may be taken here).
      const udp = await openUdp({ listen: "127.0.0.1:0" });
      const free = udp.local.port;
      udp.close();
      const args = line.split(" ").slice(1);
      args[args.length - 1] = `127.0.0.1:${free}`;
      const bridge = spawn(process.execPath, [join(root, "cli/bin/cell.mjs"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
      let bridgeOut = "";
      bridge.stdout.on("data", (b: Buffer) => (bridgeOut += b.toString()));
      bridge.stderr.on("data", (b: Buffer) => (bridgeOut += b.toString()));
      try {
        await waitFor(
          "the bridge to find echo and open its UDP side",
          () => (/\+ echo/.test(bridgeOut) && bridgeOut.includes(`network link udp:127.0.0.1:${free} open`)) || bridge.exitCode !== null,
          30000
        ).catch((e: Error) => {
          throw new Error(`${e.message}; cell bridge said: ${bridgeOut}`);
        });
        const client = await openUdp(`127.0.0.1:${free}`);
        try {
          expect(await remote(Echo, client, { timeoutMs: 8000 }).echo("through the bridge ✓")).toBe("through the bridge ✓");
        } catch (e) {
          throw new Error(`${(e as Error).message}; cell bridge said: ${bridgeOut}`);
        } finally {
          client.close();
        }
      } finally {
        bridge.kill("SIGTERM");
      }
    } finally {
      sim.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGTERM: stopping 1 board/);
  }, 120000);
});
