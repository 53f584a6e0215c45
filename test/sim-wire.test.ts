// The firmware's portable C (sim/firmware/wire.c and friends), compiled for the host with `cc` and run on
// the independent vectors in spec/vectors/ and on frames made by the JS side (core/stream.ts).
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import streamVectors from "../spec/vectors/stream-frames.json";
import crcVectors from "../spec/vectors/crc32.json";
import { StreamDecoder, StreamEncoder } from "../core/stream";
import { HEADER_SIZE, encodeHeader } from "../core/header";

var FW = join(__dirname, "../sim/firmware");
var OUT = join(__dirname, "../sim/build/host");
var BIN = join(OUT, "wire_test");

var hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
var bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

/** The C drop counters, named as spec/wire-format.md names drop reasons (wire.h says how they map). */
var C_REASON: { [reason: string]: "cobs" | "crc" | "long" | "header" } = {
  BadCobs: "cobs",
  BadCrc: "crc",
  TooLong: "long",
  TooShort: "header",
  BadMagic: "header",
  BadVersion: "header",
  BadKind: "header",
  BadLength: "header"
};

function decodeInC(stream: Uint8Array, maxFrame: number) {
  var out = execFileSync(BIN, ["decode", String(maxFrame)], { input: stream, maxBuffer: 64 << 20 }).toString();
  var frames: string[] = [];
  var drops = { cobs: 0, crc: 0, long: 0, header: 0 };
  for (var line of out.trim().split("\n")) {
    if (line.startsWith("F ")) frames.push(line.slice(2));
    else if (line.startsWith("D ")) {
      var n = line.slice(2).split(" ").map(Number);
      drops = { cobs: n[0], crc: n[1], long: n[2], header: n[3] };
    }
  }
  return { frames: frames, drops: drops };
}

function encodeInC(frames: Uint8Array[]): Uint8Array {
  var parts: Buffer[] = [];
  for (var f of frames) {
    var len = Buffer.alloc(4);
    len.writeUInt32LE(f.length);
    parts.push(len, Buffer.from(f));
  }
  return new Uint8Array(execFileSync(BIN, ["encode"], { input: Buffer.concat(parts), maxBuffer: 64 << 20 }));
}

function expectedDrops(reasons: { [reason: string]: number | undefined }) {
  var d = { cobs: 0, crc: 0, long: 0, header: 0 };
  for (var r in reasons) d[C_REASON[r]] += reasons[r] || 0;
  return d;
}

/** A deterministic frame generator with payloads that stress COBS: zeros, 0xff runs, 254-byte groups. */
function makeFrames(count: number, seed: number): Uint8Array[] {
  var s = seed >>> 0;
  var rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) >>> 8) / 16777216;
  var frames: Uint8Array[] = [];
  for (var i = 0; i < count; i++) {
    var sizes = [0, 1, 233, 234, 235, 253, 254, 255, 508, 1000];
    var n = i < sizes.length ? sizes[i] : Math.floor(rnd() * 1004);
    var f = new Uint8Array(HEADER_SIZE + n);
    encodeHeader({ kind: i % 6, flags: 0, codec: i % 4, cellId: (rnd() * 2 ** 32) >>> 0, methodId: i, requestId: i * 7, length: n }, f, 0);
    var style = i % 3;
    for (var j = 0; j < n; j++) f[HEADER_SIZE + j] = style === 0 ? 0 : style === 1 ? 0xff : rnd() < 0.1 ? 0 : (rnd() * 256) | 0;
    frames.push(f);
  }
  return frames;
}

describe("sim firmware wire.c on the host", () => {
  beforeAll(() => {
    mkdirSync(OUT, { recursive: true });
    var sources = ["host-test/wire_test.c", "wire.c", "arena.c", "sha256.c", "compact.c"].map((f) => join(FW, f));
    var strict = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-g"];
    // Sanitizers catch any out-of-bounds access in the accumulator; fall back without them if the host lacks them.
    var sanitized = spawnSync("cc", [...strict, "-fsanitize=address,undefined", "-fno-sanitize-recover=all", ...sources, "-o", BIN], {
      encoding: "utf8"
    });
    if (sanitized.status !== 0) execFileSync("cc", [...strict, ...sources, "-o", BIN]);
  }, 60000);

  it("passes its C self-test: CRC, FNV, SHA-256 vectors, COMPACT edge cases, arena workout", () => {
    expect(execFileSync(BIN, ["selftest"]).toString()).toBe("ok\n");
  });

  it.each(streamVectors.valid)("decodes and encodes the vector: $name", (v) => {
    var r = decodeInC(bytes(v.stream), 1024);
    expect(r.frames).toEqual([v.frame]);
    expect(r.drops).toEqual({ cobs: 0, crc: 0, long: 0, header: 0 });
    expect(hex(encodeInC([bytes(v.frame)]))).toBe(v.stream);
  });

  it.each(streamVectors.badStreams)("counts what the spec counts: $name", (v) => {
    var r = decodeInC(bytes(v.stream), v.maxFrame);
    expect(r.frames).toEqual(v.frames);
    expect(r.drops).toEqual(expectedDrops(v.drops));
  });

  it("CRC-32 vectors (through frames the C side must accept)", () => {
    // wire.c's CRC is only reachable through framing here: a frame whose payload is the vector's input.
    for (var c of crcVectors.cases) {
      var input = bytes(c.input);
      var f = new Uint8Array(HEADER_SIZE + input.length);
      encodeHeader({ kind: 3, flags: 0, codec: 0, cellId: 1, methodId: 2, requestId: 0, length: input.length }, f, 0);
      f.set(input, HEADER_SIZE);
      expect(hex(encodeInC([f]))).toBe(hex(new StreamEncoder().encode(f)));
    }
  });

  it("encodes byte for byte what core/stream.ts encodes, and decodes what it encodes", () => {
    var frames = makeFrames(300, 7);
    var enc = new StreamEncoder();
    var js = Buffer.concat(frames.map((f) => Buffer.from(enc.encode(f))));
    expect(hex(encodeInC(frames))).toBe(js.toString("hex"));
    var r = decodeInC(new Uint8Array(js), 1024);
    expect(r.frames).toEqual(frames.map(hex));
    expect(r.drops).toEqual({ cobs: 0, crc: 0, long: 0, header: 0 });
  });

  it("agrees with core/stream.ts on a corrupted stream, frame for frame and drop for drop", () => {
    var frames = makeFrames(400, 99);
    var enc = new StreamEncoder();
    var stream = new Uint8Array(Buffer.concat(frames.map((f) => Buffer.from(enc.encode(f)))));
    var s = 4242;
    var rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) >>> 8) / 16777216;
    for (var k = 0; k < 300; k++) {
      var at = Math.floor(rnd() * stream.length);
      stream[at] = rnd() < 0.3 ? 0 : (rnd() * 256) | 0; // flips, and delimiters where none belong
    }
    var maxFrame = 600; // some good frames are also too long for this receiver
    var jsFrames: string[] = [];
    var dec = new StreamDecoder(maxFrame);
    dec.feed(stream, (f) => jsFrames.push(hex(f)));
    var r = decodeInC(stream, maxFrame);
    expect(r.frames).toEqual(jsFrames);
    expect(r.drops).toEqual(expectedDrops(dec.stats.drops));
    expect(r.drops.cobs + r.drops.crc + r.drops.long + r.drops.header).toBeGreaterThan(100);
  });
});
