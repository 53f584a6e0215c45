// jerry-kaluma's Kaluma API as Kaluma's sources define it (README.md lists where each was checked):
// small scripts print what they see, and the tests compare with what a Pico running Kaluma does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureKalumaRunner } from "./build";
import { startKaluma, type KalumaBoard } from "./kaluma";

const dir = mkdtempSync(join(tmpdir(), "cell-jerry-api-"));
let n = 0;

beforeAll(() => void ensureKalumaRunner(), 900000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `code` as the bundle; resolves with its console lines once it logged "done" (or exited). */
async function run(
  code: string,
  o: { opts?: Record<string, string>; input?: Uint8Array } = {}
): Promise<{ lines: string[]; board: KalumaBoard; out: number[] }> {
  const file = join(dir, `script${n++}.js`);
  writeFileSync(file, code);
  const board = await startKaluma({ bundle: file, opts: o.opts });
  const out: number[] = [];
  board.onData((b) => out.push(...b));
  if (o.input) board.write(o.input);
  const end = Date.now() + 10000;
  while (!board.logs.includes("done") && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  await board.close();
  return { lines: board.logs.filter((l) => l !== "done"), board, out };
}

describe("Kaluma's globals on jerry-kaluma", () => {
  it("timers: setTimeout needs a function and a number, callbacks get no arguments, clearTimeout(undefined) throws", async () => {
    const { lines } = await run(`
      function t(f) { try { return String(f()); } catch (e) { return e.name + ": " + e.message; } }
      console.log(t(function () { return setTimeout(function () {}); }));
      console.log(t(function () { return clearTimeout(undefined); }));
      console.log(t(function () { return typeof setTimeout(function () {}, 1); }));
      var start = millis();
      setTimeout(function (a) { console.log("args " + arguments.length + " " + (millis() - start >= 20)); console.log("done"); }, 20, "extra");
    `);
    expect(lines).toEqual([
      'TypeError: "delay" argument must be a number',
      'TypeError: "id" argument must be a number',
      "number",
      "args 0 true"
    ]);
  });

  it("an interval whose callback throws is stopped (set_timer_cb)", async () => {
    const { lines, board } = await run(`
      var ticks = 0;
      setInterval(function () { ticks++; throw new Error("tick " + ticks); }, 5);
      setTimeout(function () { console.log("ticks " + ticks); console.log("done"); }, 100);
    `);
    expect(lines[lines.length - 1]).toBe("ticks 1");
    expect(board.uncaught).toEqual(["Error: tick 1"]);
  });

  it("analogRead answers 0..1 on GP26-29 and throws SystemError EINVPIN elsewhere", async () => {
    const { lines } = await run(
      `console.log(analogRead(27));
       try { analogRead(5); } catch (e) { console.log((e instanceof SystemError) + " " + (e instanceof Error) + " " + e.errno + " " + e.message); }
       console.log("done");`,
      { opts: { "adc.27": "0.75" } }
    );
    expect(lines).toEqual(["0.75", "true true -140 Invalid pin number"]);
  });

  it("require: built-in modules only, otherwise 'Failed to load module'", async () => {
    const { lines } = await run(`
      console.log(typeof require("events").EventEmitter + " " + typeof require("uart").UART);
      try { require("fs-nope"); } catch (e) { console.log(e.message); }
      console.log("done");`);
    expect(lines).toEqual(["function function", "Failed to load module: fs-nope"]);
  });

  it("process.memoryUsage gives JerryScript's heap statistics (180 KB heap)", async () => {
    const { lines } = await run(
      `var m = process.memoryUsage(); console.log(m.heapTotal + " " + (m.heapUsed > 0) + " " + (m.heapPeak >= m.heapUsed)); console.log("done");`
    );
    expect(lines).toEqual([`${180 * 1024 - 8} true true`]);
  });
});

describe("the uart module on jerry-kaluma", () => {
  it("'data' events carry a Uint8Array of what arrived; write() takes a Uint8Array or a string", async () => {
    // The bytes come at the UART's pace (kaluma-uart-rx.c), so they may come in more than one event.
    const { lines, out } = await run(
      `var UART = require("uart").UART;
       var u = new UART(0, { baudrate: 115200 });
       var got = [], typed = true;
       u.on("data", function (d) {
         typed = typed && d instanceof Uint8Array;
         for (var i = 0; i < d.length; i++) got.push(d[i]);
         if (got.length < 3) return;
         console.log(typed + " " + got.join(","));
         u.write("ok\\xe9");
         u.write(new Uint8Array([1, 2, 3]));
         console.log("done");
       });`,
      { input: new Uint8Array([7, 8, 9]) }
    );
    expect(lines).toEqual(["true 7,8,9"]);
    expect(out).toEqual([0x6f, 0x6b, 0xe9, 1, 2, 3]);
  });

  it("write() of a subarray sends the whole ArrayBuffer behind it (module_uart.c ignores offset and length)", async () => {
    const { out } = await run(`
      var u = new (require("uart").UART)(0, {});
      var b = new Uint8Array([10, 11, 12, 13, 14]);
      u.write(b.subarray(1, 3));
      console.log("done");`);
    expect(out).toEqual([10, 11, 12, 13, 14]);
  });

  it("a second open of a port, and pins the port lacks, throw SystemError EDEVINIT", async () => {
    const { lines } = await run(`
      var UART = require("uart").UART;
      new UART(0, {});
      function t(f) { try { f(); return "ok"; } catch (e) { return e.errno + " " + e.message; } }
      console.log(t(function () { new UART(0, {}); }));
      console.log(t(function () { new UART(1, { tx: 3 }); }));
      console.log(t(function () { new UART(2, {}); }));
      console.log(t(function () { new UART(1, {}); }));
      console.log("done");`);
    expect(lines).toEqual(["-145 Device Init/Deinit Error", "-145 Device Init/Deinit Error", "-145 Device Init/Deinit Error", "ok"]);
  });
});

describe("the uart module's read buffer on jerry-kaluma (kaluma-uart-rx.c)", () => {
  // A data event that runs `busy` ms when the bytes it got end in 255: the loop reads nothing meanwhile,
  // while the RX interrupt goes on writing into the ring (targets/rp2/src/uart.c, src/ringbuffer.c).
  const script = (options: string) => `
    var u = new (require("uart").UART)(0, ${options});
    u.on("data", function (d) {
      var a = [];
      for (var i = 0; i < d.length; i++) a.push(d[i]);
      console.log(a.join(","));
      if (d[d.length - 1] === 255) { console.log("busy"); var end = millis() + 1500; while (millis() < end) {} console.log("idle"); }
    });
    console.log("open " + u._native.bufferSize);`; // uart.js keeps the options on the native port

  async function start(options: string): Promise<KalumaBoard> {
    const file = join(dir, `script${n++}.js`);
    writeFileSync(file, script(options));
    return startKaluma({ bundle: file });
  }
  const count = (board: KalumaBoard, line: string) => board.logs.filter((l) => l === line).length;
  async function until(what: string, check: () => boolean): Promise<void> {
    const end = Date.now() + 15000;
    while (!check()) {
      if (Date.now() > end) throw new Error("timed out waiting for " + what);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  /** Bytes sent while the data event is busy, then the data lines that follow "idle". */
  async function whileBusy(board: KalumaBoard, bytes: number[], busyCount: number): Promise<void> {
    board.write(new Uint8Array([255]));
    await until("busy", () => count(board, "busy") === busyCount);
    board.write(new Uint8Array(bytes));
    await until("idle", () => count(board, "idle") === busyCount);
  }
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it("bytes beyond bufferSize that come while JS is busy are lost: n bytes show as their last n mod size", async () => {
    // 9600 baud: 64 bytes take 67 ms to come, time enough for a loaded host to read them when not busy.
    const board = await start("{ baudrate: 9600, bufferSize: 64 }");
    try {
      await until("open", () => board.logs.includes("open 64"));
      // 200 bytes into a 64-byte ring with nothing read: w_ptr wrapped 3 times, the ring shows 200 mod 64.
      await whileBusy(board, range(0, 200), 1);
      await until("the 8 kept bytes", () => board.logs.includes(range(192, 200).join(",")));
      expect(board.overruns).toEqual([{ port: 0, received: 200, lost: 192, kept: 8 }]);
      // Exactly the ring's size: w_ptr comes back to r_ptr, and the ring looks empty.
      const lines = board.logs.length;
      await whileBusy(board, range(0, 64), 2);
      await until("the second overrun", () => board.overruns.length === 2);
      expect(board.overruns[1]).toEqual({ port: 0, received: 64, lost: 64, kept: 0 });
      // Not busy: bytes come at the wire's pace (156 ms for 150 at 9600 baud) and are read as they come, none lost.
      board.write(new Uint8Array(range(100, 250)));
      const after = () =>
        board.logs
          .slice(lines)
          .filter((l) => /^\d/.test(l) && l !== "255")
          .join(",");
      await until("150 bytes", () => after().split(",").length >= 150);
      expect(after()).toBe(range(100, 250).join(","));
      expect(board.overruns.length).toBe(2);
    } finally {
      await board.close();
    }
  }, 60000);

  it("the default read buffer is Kaluma's 2048 bytes (module_uart.c UART_DEFAULT_BUFFERSIZE)", async () => {
    const board = await start("{}");
    try {
      await until("open", () => board.logs.includes("open 2048"));
      await whileBusy(
        board,
        range(0, 2100).map((i) => i % 250),
        1
      );
      await until("the overrun", () => board.overruns.length === 1);
      expect(board.overruns[0]).toEqual({ port: 0, received: 2100, lost: 2048, kept: 52 });
      await until("the kept bytes", () =>
        board.logs.includes(
          range(2048, 2100)
            .map((i) => i % 250)
            .join(",")
        )
      );
    } finally {
      await board.close();
    }
  }, 60000);
});

describe("storage on jerry-kaluma", () => {
  it("keeps string items, at most 253 bytes of key + value (CESU-8), else SystemError ESTGSIZE", async () => {
    const { lines } = await run(`
      storage.setItem("k", "v1");
      storage.setItem("k", "v2");
      console.log(storage.getItem("k") + " " + storage.getItem("none") + " " + storage.length);
      function t(f) { try { f(); return "ok"; } catch (e) { return (e instanceof SystemError) + " " + e.errno + " " + e.message; } }
      console.log(t(function () { storage.setItem("a", new Array(253).join("x")); }));
      console.log(t(function () { storage.setItem("a", new Array(254).join("x")); }));
      console.log(t(function () { storage.setItem("b", new Array(127).join("\\u00e9")); }));
      console.log(t(function () { storage.setItem("b", new Array(128).join("\\u00e9")); }));
      console.log(t(function () { storage.setItem("b", 5); }));
      storage.removeItem("k");
      console.log(storage.getItem("k") + " " + storage.length + " " + storage.key(0));
      console.log("done");`);
    expect(lines).toEqual([
      "v2 null 1",
      "ok",
      "true -144 Data too long",
      "ok", // 126 × é: 252 bytes with the key
      "true -144 Data too long", // 127 × é: 128 characters, but 255 bytes
      'false undefined "value" argument must be a string',
      "null 2 a"
    ]);
  });

  it("holds 64 items; a full store sweeps removed slots, then throws SystemError ESTGFULL", async () => {
    const { lines } = await run(`
      for (var i = 0; i < 64; i++) storage.setItem("k" + i + "=", "v");
      function t(f) { try { f(); return "ok"; } catch (e) { return e.errno + " " + e.message; } }
      console.log(storage.length + " " + t(function () { storage.setItem("extra", "v"); }));
      storage.removeItem("k0=");
      console.log(t(function () { storage.setItem("extra", "v"); }) + " " + storage.length + " " + storage.getItem("extra"));
      console.log("done");`);
    expect(lines).toEqual(["64 -142 Storage full", "ok 64 v"]);
  });

  it("finds an item by a key that is a prefix of another item's key + value (storage.c slot_find)", async () => {
    const { lines } = await run(`
      storage.setItem("ab", "cd");
      console.log(storage.getItem("abc") + " " + storage.getItem("a"));
      console.log("done");`);
    expect(lines).toEqual(["cd cd"]);
  });
});

describe("text on Kaluma: its own URI functions, its TextEncoder and TextDecoder", () => {
  const script = `
    function hex(b) { var s = []; for (var i = 0; i < b.length; i++) s.push((b[i] + 256).toString(16).slice(1)); return s.join(" "); }
    function t(f) { try { return String(f()); } catch (e) { return e.name; } }
    console.log(encodeURIComponent("\\u00e9\\u2713"));
    console.log(encodeURIComponent("\\ud83d\\ude80"));
    console.log(t(function () { return encodeURIComponent("\\ud83d"); }));
    console.log(t(function () { var d = decodeURIComponent("%F0%9F%9A%80"); return d.length + " " + (d === "\\ud83d\\ude80"); }));
    console.log(t(function () { return decodeURIComponent("%ED%A0%BD%ED%BA%80") === "\\ud83d\\ude80"; }));
    console.log(t(function () { return decodeURIComponent("a%00b").length; }));
    console.log(typeof TextEncoder + " " + typeof TextDecoder);
    console.log(typeof TextEncoder === "function" ? hex(new TextEncoder().encode("\\u00e9\\ud83d\\ude80")) : "-");
    console.log(typeof TextDecoder === "function" ? String(new TextDecoder().decode(new Uint8Array([0xc3, 0xa9, 0xf0, 0x9f, 0x9a, 0x80])) === "\\u00e9\\ud83d\\ude80") : "-");
    console.log("done");`;

  it("Kaluma (global.c): URI functions percent-encode CESU-8 bytes unchecked; TextEncoder/TextDecoder are UTF-8", async () => {
    const { lines } = await run(script);
    expect(lines).toEqual([
      "%C3%A9%E2%9C%93", // BMP: CESU-8 is UTF-8
      "%ED%A0%BD%ED%BA%80", // U+1F680 as two encoded surrogates (UTF-8 would be %F0%9F%9A%80)
      "%ED%A0%BD", // a lone surrogate is encoded, not refused
      "2 false", // 4 UTF-8 bytes taken as CESU-8: not U+1F680
      "true",
      "1", // decoding stops at the first NUL
      "function function",
      "c3 a9 f0 9f 9a 80",
      "true"
    ]);
  });

  it("plain JerryScript 3.0.0 (no Kaluma): standard, checked URI functions on UTF-8; no TextEncoder or TextDecoder", async () => {
    const { lines } = await run(script, { opts: { uri: "jerryscript", plain: "1" } });
    expect(lines).toEqual(["%C3%A9%E2%9C%93", "%F0%9F%9A%80", "URIError", "2 true", "URIError", "3", "undefined undefined", "-", "-"]);
  });
});
