// The simulated board's firmware, end to end: build it, boot it in QEMU, and drive its boot loader and a
// bundle through the real UART0 (a TCP socket), with the project's own stream framing and COMPACT codec.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "node:net";
import { spawnSync } from "node:child_process";
import type { SimBuildResult } from "../sim/build.mjs";
import { buildFirmware, SIM_BOARDS } from "../sim/firmware-build";
import { loadBoard } from "../firmware/build";
import { bootSim, bundleImage, SimBoard } from "../sim/qemu";
import { qmpSocket } from "../sim/qmp";
import { loaderCell } from "../sim/loader-schema";
import { HEADER_SIZE, Kind, CodecId, encodeHeader, readU32 } from "../core/header";
import { StreamDecoder, StreamEncoder } from "../core/stream";
import { compactCodec } from "../core/codecs/compact";
import { Writer } from "../core/codec";
import { crc32 } from "../core/crc32";
import { cobsEncode, cobsMaxEncodedLength } from "../core/cobs";
import { fnv1a32String } from "../core/fnv";
import { utf8Decode, utf8Encode } from "../core/utf8";

var ECHO_CELL = fnv1a32String("echo");

function makeFrame(kind: number, codec: number, cellId: number, methodId: number, requestId: number, payload: Uint8Array): Uint8Array {
  var f = new Uint8Array(HEADER_SIZE + payload.length);
  encodeHeader(
    { kind: kind, flags: 0, codec: codec, cellId: cellId, methodId: methodId, requestId: requestId, length: payload.length },
    f,
    0
  );
  f.set(payload, HEADER_SIZE);
  return f;
}

/** UART0 as frames: everything received is kept in order; `next` waits for the first frame matching. */
class Uart {
  private encoder = new StreamEncoder(1024);
  private decoder = new StreamDecoder(1024);
  private frames: Uint8Array[] = [];
  private wake: (() => void) | null = null;
  private nextRequestId = 1;
  constructor(private sock: Socket) {
    sock.on("data", (chunk: Buffer) => {
      this.decoder.feed(new Uint8Array(chunk), (f) => this.frames.push(f.slice()));
      if (this.wake) this.wake();
    });
  }
  get drops() {
    return this.decoder.stats.drops;
  }
  sendRaw(bytes: Uint8Array): void {
    this.sock.write(Buffer.from(bytes));
  }
  send(frame: Uint8Array): void {
    this.sendRaw(this.encoder.encode(frame));
  }
  async next(match: (f: Uint8Array) => boolean, timeoutMs = 5000): Promise<Uint8Array> {
    var deadline = Date.now() + timeoutMs;
    for (;;) {
      var i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      var left = deadline - Date.now();
      if (left <= 0) throw new Error("no matching frame within " + timeoutMs + " ms");
      await new Promise<void>((resolve) => {
        var t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
  /** One request to the loader; resolves with the decoded response or {error, message}. */
  async call(method: "write" | "commit" | "reset" | "status", value: object, codec = CodecId.Compact, timeoutMs = 5000): Promise<any> {
    var info = loaderCell.info[method];
    var def = info.def as { req: any; res: any };
    var w = new Writer(256);
    compactCodec.encode(def.req, value, w);
    var id = this.nextRequestId++;
    this.send(makeFrame(Kind.Request, codec, loaderCell.id, info.id, id, w.view()));
    var reply = await this.next((f) => readU32(f, 12) === id && readU32(f, 4) === loaderCell.id, timeoutMs);
    var payload = reply.subarray(HEADER_SIZE);
    if (reply[2] === Kind.Error) return { error: payload[0], message: utf8Decode(payload, 1, payload.length) };
    expect(reply[2]).toBe(Kind.Response);
    expect(reply[3]).toBe(CodecId.Compact);
    return compactCodec.decode(def.res, payload);
  }
  /** Writes a bundle in chunks that fit the board's frames, then commits it with its digests. */
  async flash(source: string, maxFrame: number, digestsOf?: Uint8Array): Promise<any> {
    var bytes = utf8Encode(source);
    var chunk = maxFrame - HEADER_SIZE - 16;
    for (var at = 0; at < bytes.length; at += chunk) {
      var r = await this.call("write", { offset: at, data: bytes.subarray(at, at + chunk) });
      expect(r).toEqual({});
    }
    var digests = digestsOf || bytes;
    return this.call("commit", {
      size: bytes.length,
      crc32: crc32(digests),
      sha256: new Uint8Array(createHash("sha256").update(digests).digest())
    });
  }
}

/** Valid COBS around a frame whose CRC is off by `xor`. */
function streamWithCrc(frame: Uint8Array, xor: number): Uint8Array {
  var raw = new Uint8Array(frame.length + 4);
  raw.set(frame);
  new DataView(raw.buffer).setUint32(frame.length, (crc32(frame) ^ xor) >>> 0, true);
  var out = new Uint8Array(cobsMaxEncodedLength(raw.length) + 1);
  var n = cobsEncode(raw, out);
  out[n] = 0;
  return out.subarray(0, n + 1);
}

var ECHO_BUNDLE = "sim.onFrame = function (f) { sim.sendFrame(f); };\nsim.log('echo bundle up');\n";

describe("cell.loader schema", () => {
  var header = readFileSync(join(__dirname, "../sim/firmware/loader_schema.h"), "utf8");
  var constant = (name: string) => {
    var m = header.match(new RegExp("#define " + name + " 0x([0-9a-f]+)u"));
    if (!m) throw new Error(name + " missing from loader_schema.h");
    return parseInt(m[1], 16);
  };

  it("C ids are the FNV-1a-32 of the TypeScript schema's name and signatures", () => {
    expect(constant("LOADER_CELL_ID")).toBe(loaderCell.id);
    expect(constant("LOADER_CELL_ID")).toBe(fnv1a32String("cell.loader"));
    expect(constant("LOADER_METHOD_WRITE")).toBe(loaderCell.info.write.id);
    expect(constant("LOADER_METHOD_COMMIT")).toBe(loaderCell.info.commit.id);
    expect(constant("LOADER_METHOD_RESET")).toBe(loaderCell.info.reset.id);
    expect(constant("LOADER_METHOD_STATUS")).toBe(loaderCell.info.status.id);
  });

  it("C describe text is the canonical schema text", () => {
    var body = header.slice(header.indexOf("#define LOADER_SCHEMA_TEXT"));
    var text = (body.match(/"(?:[^"\\]|\\.)*"/g) || []).map((q) => JSON.parse(q)).join("");
    expect(text).toBe(loaderCell.schema);
  });
});

/** What differs between the two images: the heap their engine's built-ins take, and running out of heap. */
var ENGINE = {
  "qemu-mps2-an385": {
    name: "Duktape",
    builtinsBytes: 40000,
    outOfHeap: /^bundle threw at start: (RangeError|Error): alloc failed/,
    fullAt: 0.9
  },
  // JerryScript keeps its built-ins in ROM until used; running out of its heap is fatal (jerry_port_fatal).
  // Its heap is not compacted: the allocation that fails (the doubled backing store of a big array) needs
  // one contiguous block, so it fails with less of the heap in use than Duktape's arena.
  "qemu-mps2-an385-jerryscript": { name: "JerryScript", builtinsBytes: 1000, outOfHeap: /^fatal: out of memory$/, fullAt: 0.75 }
} as Record<string, { name: string; builtinsBytes: number; outOfHeap: RegExp; fullAt: number }>;

describe.each(SIM_BOARDS)("sim firmware %s on QEMU mps2-an385", (boardId) => {
  var engine = ENGINE[boardId];
  var build: SimBuildResult;
  var board: SimBoard;
  var uart: Uart;
  var bootedAt = 0;
  var qmp = qmpSocket();

  /** What the board is doing, for a test that waited in vain: UART0's registers and where the CPU is. */
  async function boardState(): Promise<string> {
    var hmp = (line: string) => qmp.execute("human-monitor-command", { "command-line": line }).then(String);
    var uart = (await hmp("xp /3wx 0x40004004")).trim().split(/\s+/).slice(1); // from STATE: reading DATA would take a byte
    var pc = ((await hmp("info registers")).match(/R15=([0-9a-f]+)/) || ["", "?"])[1];
    var where = spawnSync("arm-none-eabi-addr2line", ["-f", "-e", build.elf, "0x" + pc], { encoding: "utf8" }).stdout || "";
    return (
      "board: UART0 STATE " +
      uart[0] +
      " CTRL " +
      uart[1] +
      " INTSTATUS " +
      uart[2] +
      "; pc 0x" +
      pc +
      " in " +
      where.trim().replace(/\n/, " at ")
    );
  }

  beforeAll(async () => {
    build = await buildFirmware(boardId, { log: () => {} });
    bootedAt = Date.now();
    board = await bootSim({ elf: build.elf, extraArgs: qmp.args });
    uart = new Uart(await board.connect());
    await board.waitConsole(/running=no/);
  }, 120000);

  afterAll(async () => {
    if (process.env.SIM_SHOW_CONSOLE && board) console.log(board.console());
    qmp.dispose();
    if (board) await board.kill();
    if (board) {
      // The PID is gone: signal 0 to it throws ESRCH.
      expect(() => process.kill(board.pid, 0)).toThrow();
    }
  });

  it("builds an image with its engine and reports its sizes", () => {
    expect(build.sizes.text).toBeGreaterThan(150000); // Duktape alone is ~180 KB, JerryScript ~280 KB
    expect(build.heapBytes).toBe(loadBoard(boardId).ramBytes);
  });

  it("prints a boot banner with the heap size on the console UART", () => {
    expect(board.console()).toMatch(
      new RegExp("cell-sim board=" + boardId + " heap=" + build.heapBytes + " used=\\d+ peak=\\d+ bundle=none running=no")
    );
  });

  it("answers describe for cell.loader with the canonical schema text", async () => {
    var id = 900;
    uart.send(makeFrame(Kind.Request, CodecId.Raw, loaderCell.id, 0, id, new Uint8Array(0)));
    var reply = await uart.next((f) => readU32(f, 12) === id);
    expect(reply[2]).toBe(Kind.Response);
    expect(reply[3]).toBe(CodecId.Raw);
    expect(utf8Decode(reply, HEADER_SIZE, reply.length)).toBe(loaderCell.schema);
    expect(Date.now() - bootedAt).toBeLessThan(60000);
  });

  it("reports status of a board with no bundle", async () => {
    var s = await uart.call("status", {});
    expect(s.bundleSize).toBe(0);
    expect(s.running).toBe(false);
    expect(s.lastError).toBe("");
    expect(s.heapSize).toBe(build.heapBytes);
    expect(s.heapPeak).toBeGreaterThan(engine.builtinsBytes); // the engine's built-ins alone
    expect(s.heapPeak).toBeLessThanOrEqual(s.heapSize);
    expect(s.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it("refuses unknown methods, other codecs and bad payloads with the right ERROR codes", async () => {
    uart.send(makeFrame(Kind.Request, CodecId.Compact, loaderCell.id, 0x12345678, 901, new Uint8Array(0)));
    var unknown = await uart.next((f) => readU32(f, 12) === 901);
    expect([unknown[2], unknown[3], unknown[HEADER_SIZE]]).toEqual([Kind.Error, CodecId.Raw, 2]);
    expect(await uart.call("status", {}, CodecId.Json)).toMatchObject({ error: 9 });
    expect(await uart.call("write", { offset: 0x7fffffff, data: new Uint8Array(4) })).toMatchObject({ error: 3, message: /past the end/ });
    uart.send(makeFrame(Kind.Request, CodecId.Compact, loaderCell.id, loaderCell.info.status.id, 902, new Uint8Array([1])));
    var trailing = await uart.next((f) => readU32(f, 12) === 902);
    expect(trailing[HEADER_SIZE]).toBe(3);
  });

  it("answers a request for another cell with UnknownCell while no bundle runs", async () => {
    uart.send(makeFrame(Kind.Request, CodecId.Compact, ECHO_CELL, 77, 903, new Uint8Array(0)));
    var reply = await uart.next((f) => readU32(f, 12) === 903);
    expect([reply[2], reply[HEADER_SIZE]]).toEqual([Kind.Error, 1]);
  });

  it("flashes an echo bundle, reboots into it, and the bundle echoes frames", async () => {
    var mark = board.console().length;
    expect(await uart.flash(ECHO_BUNDLE, build.maxFrame)).toEqual({});
    await board.waitConsole(/echo bundle up[\s\S]*running=yes/, 5000, mark);
    var sent = makeFrame(Kind.Request, CodecId.Compact, ECHO_CELL, 0x55667788, 904, new Uint8Array([0, 1, 2, 0, 255]));
    uart.send(sent);
    var echoed = await uart.next((f) => readU32(f, 12) === 904);
    expect(Array.from(echoed)).toEqual(Array.from(sent));
    var s = await uart.call("status", {});
    expect(s).toMatchObject({
      running: true,
      lastError: "",
      bundleSize: utf8Encode(ECHO_BUNDLE).length,
      bundleCrc32: crc32(utf8Encode(ECHO_BUNDLE))
    });
  });

  it("handles a burst of back-to-back frames without losing one", async () => {
    var count = 150;
    var bytes: number[] = [];
    var enc = new StreamEncoder(256);
    for (var i = 0; i < count; i++) {
      var payload = new Uint8Array(40 + (i % 50)).map((_, j) => (i * 7 + j) & 255);
      bytes.push(...enc.encode(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 2000 + i, payload)));
    }
    uart.sendRaw(new Uint8Array(bytes));
    for (var k = 0; k < count; k++) {
      var f = await uart.next((x) => readU32(x, 12) === 2000 + k, 20000);
      expect(f.length).toBe(HEADER_SIZE + 40 + (k % 50));
    }
  });

  it("refuses a commit whose sha256 is wrong, and the old bundle keeps running", async () => {
    var other = "sim.onFrame = function (f) {};";
    var r = await uart.flash(other, build.maxFrame, utf8Encode("something else entirely"));
    expect(r).toMatchObject({ error: 3 });
    var s = await uart.call("status", {});
    expect(s.bundleCrc32).toBe(crc32(utf8Encode(ECHO_BUNDLE)));
    expect(s.running).toBe(true);
    uart.send(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 905, new Uint8Array([9])));
    expect((await uart.next((f) => readU32(f, 12) === 905))[HEADER_SIZE]).toBe(9);
  });

  it("survives a garbage burst on UART0, counting what it dropped", async () => {
    var garbage = new Uint8Array(randomBytes(16384));
    for (var i = 0; i < garbage.length; i += 97) garbage[i] = 0; // delimiters inside the noise
    var huge = new Uint8Array(3000).fill(0x41); // longer than any frame the board takes
    var enc = new StreamEncoder(64);
    var badCrc = streamWithCrc(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 906, new Uint8Array([1])), 1);
    var badHeader = makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 906, new Uint8Array([1]));
    badHeader[0] = 0xcf; // wrong magic, right CRC
    uart.sendRaw(new Uint8Array([...garbage, 0, ...huge, 0, ...badCrc, ...enc.encode(badHeader)]));
    var s = await uart.call("status", {});
    expect(s.running).toBe(true);
    uart.send(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 907, new Uint8Array([7])));
    expect((await uart.next((f) => readU32(f, 12) === 907))[HEADER_SIZE]).toBe(7);
    expect(uart.drops).toEqual({}); // nothing the board sent back was damaged
    // The counters are printed with each boot banner (whole, after `mark`): a soft reset shows them.
    var mark = board.console().length;
    expect(await uart.call("reset", {})).toEqual({});
    var m = await board.waitConsole(
      /running=\w+\nstack peak=\d+ of \d+\nuart0 drops: cobs=(\d+) crc=(\d+) long=(\d+) header=(\d+)/,
      5000,
      mark
    );
    expect(+m[1] + +m[2]).toBeGreaterThan(10); // the noise
    expect(+m[2]).toBeGreaterThanOrEqual(1);
    expect(+m[3]).toBeGreaterThanOrEqual(1);
    expect(+m[4]).toBeGreaterThanOrEqual(1);
  }, 30000);

  it("loses no byte while a bundle keeps the CPU busy (the UART holds back, nothing overflows)", async () => {
    var bundle =
      "var first = true;\n" +
      "sim.onFrame = function (f) { if (first) { first = false; var t = sim.millis(); while (sim.millis() - t < 2000) {} } sim.sendFrame(f); };";
    expect(await uart.flash(bundle, build.maxFrame)).toEqual({});
    var enc = new StreamEncoder(256);
    var bytes: number[] = [];
    var count = 160; // ~28 KB: far more than the firmware's 8 KB receive ring
    for (var i = 0; i < count; i++) {
      bytes.push(...enc.encode(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 3000 + i, new Uint8Array(150).fill(i + 1))));
    }
    uart.sendRaw(new Uint8Array(bytes));
    for (var k = 0; k < count; k++) {
      var f = await uart
        .next((x) => readU32(x, 12) === 3000 + k, 20000)
        .catch(async (e: Error) => {
          throw new Error(e.message + " (echo " + k + ")\n" + (await boardState()));
        });
      expect(f[HEADER_SIZE + 149]).toBe(k + 1);
    }
    var mark = board.console().length;
    expect(await uart.call("reset", {})).toEqual({});
    var m = await board.waitConsole(/running=\w+\nstack peak=\d+ of \d+\nuart0 drops: .*rx stalls=(\d+)/, 5000, mark);
    expect(+m[1]).toBeGreaterThanOrEqual(1); // the ring did fill up, and the flow control took over
    expect(await uart.flash(ECHO_BUNDLE, build.maxFrame)).toEqual({});
  }, 60000);

  it("reports a bundle with a syntax error, and the loader still answers", async () => {
    var mark = board.console().length;
    expect(await uart.flash("sim.onFrame = function (f) { sim.sendFrame(f) ", build.maxFrame)).toEqual({});
    await board.waitConsole(/bundle failed to compile/, 5000, mark);
    var s = await uart.call("status", {});
    expect(s.running).toBe(false);
    expect(s.lastError).toMatch(/^bundle failed to compile: SyntaxError/);
    uart.send(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 908, new Uint8Array([1])));
    var reply = await uart.next((f) => readU32(f, 12) === 908);
    expect([reply[2], reply[HEADER_SIZE]]).toEqual([Kind.Error, 1]);
  });

  it("reports a bundle that throws at start, then flashes a good one over it", async () => {
    expect(await uart.flash("sim.onFrame = function (f) {}; throw new Error('boom at start');", build.maxFrame)).toEqual({});
    var s = await uart.call("status", {});
    expect(s.running).toBe(false);
    expect(s.lastError).toMatch(/^bundle threw at start: Error: boom at start/);
    expect(await uart.flash(ECHO_BUNDLE, build.maxFrame)).toEqual({});
    expect(await uart.call("status", {})).toMatchObject({ running: true, lastError: "" });
  });

  it("gives bundles the sim API: timers, storage that survives a soft reset, heap, sensor, board", async () => {
    var bundle = [
      "var ticks = 0, once = 0, cancelled = 0;",
      "var iv = setInterval(function () { ticks++; if (ticks === 3) clearInterval(iv); }, 5);",
      "setTimeout(function () { once++; }, 10);",
      "clearTimeout(setTimeout(function () { cancelled++; }, 1));",
      "var boots = sim.storageRead('boots');",
      "var n = boots ? boots[0] + 1 : 1;",
      "sim.storageWrite('boots', new Uint8Array([n]));",
      "sim.onFrame = function (f) {",
      "  var h = sim.heap();",
      "  var info = JSON.stringify({ board: sim.board, ticks: ticks, once: once, cancelled: cancelled, boots: n,",
      "    heap: h, temp: sim.temperature(), millis: sim.millis(), gone: sim.storageRead('nope') === undefined,",
      "    tooBig: sim.sendFrame(new Uint8Array(2000)), badHeader: sim.sendFrame(new Uint8Array(20)) });",
      "  var out = new Uint8Array(20 + info.length);",
      "  out.set(f.subarray(0, 20));",
      "  for (var i = 0; i < info.length; i++) out[20 + i] = info.charCodeAt(i);",
      "  out[2] = 1; out[16] = info.length & 255; out[17] = info.length >> 8; out[18] = 0; out[19] = 0;",
      "  print('info', 'sent', info.length);",
      "  sim.sendFrame(out);",
      "};"
    ].join("\n");
    expect(await uart.flash(bundle, build.maxFrame)).toEqual({});
    await new Promise((r) => setTimeout(r, 300));
    var ask = async (id: number) => {
      uart.send(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, id, new Uint8Array(0)));
      var f = await uart.next((x) => readU32(x, 12) === id);
      return JSON.parse(utf8Decode(f, HEADER_SIZE, f.length));
    };
    var a = await ask(909);
    expect(a).toMatchObject({ board: boardId, ticks: 3, once: 1, cancelled: 0, gone: true, tooBig: false, badHeader: false });
    expect(a.heap.size).toBe(build.heapBytes);
    expect(a.heap.used).toBeGreaterThan(engine.builtinsBytes);
    expect(a.heap.peak).toBeGreaterThanOrEqual(a.heap.used);
    expect(a.temp).toBeGreaterThanOrEqual(20);
    expect(a.temp).toBeLessThanOrEqual(23);
    expect(a.millis).toBeGreaterThan(0);
    expect(board.console()).toMatch(/info sent \d+/);
    expect(await uart.call("reset", {})).toEqual({});
    var b = await ask(910);
    expect(b.boots).toBe(a.boots + 1);
  });

  it("interrupts a bundle stuck in a loop at start; the loader answers meanwhile-queued requests", async () => {
    expect(await uart.flash("var x = 0; while (true) { x++; }", build.maxFrame)).toEqual({});
    var s = await uart.call("status", {}, CodecId.Compact, 15000); // queued behind the loop, answered once it is cut off
    expect(s.running).toBe(false);
    expect(s.lastError).toMatch(/^bundle threw at start: RangeError: .*timeout/);
  }, 30000);

  it("runs out of heap with an error (Duktape: RangeError; JerryScript: fatal), not a crash, and takes the next bundle", async () => {
    var hog = "var keep = []; while (true) { keep.push(new Array(1000).join('x') + keep.length); }";
    expect(await uart.flash(hog, build.maxFrame)).toEqual({});
    var s = await uart.call("status", {});
    expect(s.running).toBe(false);
    expect(s.lastError).toMatch(engine.outOfHeap);
    expect(s.heapPeak).toBeGreaterThan(s.heapSize * engine.fullAt);
    expect(s.heapPeak).toBeLessThanOrEqual(s.heapSize);
    expect(await uart.flash(ECHO_BUNDLE, build.maxFrame)).toEqual({});
    uart.send(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 99, 911, new Uint8Array([4])));
    expect((await uart.next((f) => readU32(f, 12) === 911))[HEADER_SIZE]).toBe(4);
  }, 30000);

  it("reports the heap peak in status, within the heap", async () => {
    var s = await uart.call("status", {});
    expect(s.heapPeak).toBeGreaterThan(engine.builtinsBytes);
    expect(s.heapPeak).toBeLessThanOrEqual(s.heapSize);
  });
});

describe.each(SIM_BOARDS)("sim board %s booted from a preloaded bundle store, in -icount mode", (boardId) => {
  var board: SimBoard | null = null;
  var dir = mkdtempSync(join(tmpdir(), "cell-sim-"));

  afterAll(async () => {
    if (board) await board.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the preloaded bundle at once and answers through it", async () => {
    var build = await buildFirmware(boardId, { log: () => {} });
    var bytes = utf8Encode(ECHO_BUNDLE);
    var image = join(dir, "store.bin");
    writeFileSync(image, bundleImage(bytes, crc32(bytes), new Uint8Array(createHash("sha256").update(bytes).digest())));
    board = await bootSim({ elf: build.elf, storeImage: image, icount: 4 });
    var uart = new Uart(await board.connect());
    await board.waitConsole(/echo bundle up[\s\S]*running=yes/, 10000);
    uart.send(makeFrame(Kind.Request, CodecId.Raw, ECHO_CELL, 5, 1, new Uint8Array([42])));
    expect((await uart.next((f) => readU32(f, 12) === 1, 10000))[HEADER_SIZE]).toBe(42);
    var s = await uart.call("status", {}, CodecId.Compact, 10000);
    expect(s).toMatchObject({ running: true, bundleSize: bytes.length, bundleCrc32: crc32(bytes), heapSize: build.heapBytes });
  }, 60000);
});
