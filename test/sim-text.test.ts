// The QEMU firmware's text natives (sim.textIn / sim.textOut: sim/firmware/text.c), compiled for the host
// and checked against Node's own UTF-8 (TextDecoder with fatal: true, Buffer) on fixed edge cases and
// seeded random strings and byte runs: well-formed text round-trips, malformed bytes and lone
// surrogates are refused, and a write never goes past the buffer it was given.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

var FW = join(__dirname, "../sim/firmware");
var OUT = join(__dirname, "../sim/build/host");
var BIN = join(OUT, "text_test");
var hex = (b: Uint8Array | number[]) => Buffer.from(b).toString("hex");
var fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** An engine's internal form of `s`: each UTF-16 unit as its own 1-3 byte sequence (CESU-8). */
function cesu8(s: string): string {
  var out: number[] = [];
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return hex(out);
}

function varint(v: number): number[] {
  var out: number[] = [];
  for (; v > 127; v >>>= 7) out.push((v & 127) | 128);
  out.push(v);
  return out;
}

var LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
var run = (...args: string[]) => execFileSync(BIN, args).toString().trim();

function seeded(seed: number) {
  var s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) >>> 8) / 16777216;
}

/** Strings of ASCII, 2- and 3-byte characters, pairs above U+FFFF and (when `lone`) lone surrogates. */
function randomString(rnd: () => number, lone: boolean): string {
  var s = "";
  for (var n = Math.floor(rnd() * 40); n > 0; n--) {
    var r = rnd();
    if (r < 0.5) s += String.fromCharCode(32 + Math.floor(rnd() * 95));
    else if (r < 0.65) s += String.fromCharCode(0x80 + Math.floor(rnd() * 0x780));
    else if (r < 0.8) s += String.fromCharCode(0xe000 + Math.floor(rnd() * 0x1fff));
    else if (r < 0.95 || !lone) s += String.fromCodePoint(0x10000 + Math.floor(rnd() * 0xfffff));
    else s += String.fromCharCode(0xd800 + Math.floor(rnd() * 0x800));
  }
  return s;
}

describe("sim firmware text.c (the text natives) on the host", () => {
  beforeAll(() => {
    mkdirSync(OUT, { recursive: true });
    var sources = ["host-test/text_test.c", "text.c"].map((f) => join(FW, f));
    var strict = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-g"];
    var sanitized = spawnSync("cc", [...strict, "-fsanitize=address,undefined", "-fno-sanitize-recover=all", ...sources, "-o", BIN], {
      encoding: "utf8"
    });
    if (sanitized.status !== 0) execFileSync("cc", [...strict, ...sources, "-o", BIN]);
  }, 60000);

  it.each([
    ["overlong NUL", "c080"],
    ["overlong slash", "e080af"],
    ["overlong 4-byte", "f08282ac"],
    ["UTF-8 of a surrogate", "eda080"],
    ["past U+10FFFF", "f4908080"],
    ["truncated 3-byte", "e282"],
    ["truncated at the end", "41e2"],
    ["lone continuation byte", "80"],
    ["0xF8 lead byte", "f888808080"],
    ["0xFF", "ff"]
  ])("refuses malformed UTF-8: %s", (_name, bytes) => {
    expect(() => fatal.decode(Buffer.from(bytes, "hex"))).toThrow();
    expect(run("in", bytes)).toBe("BAD");
  });

  it("decodes well-formed text to the engines' CESU-8, as Node decodes it", () => {
    for (var s of ["", "hello, board", "é", "€uro", "😀", "a😀b\u{10FFFF}", "\u0000"]) {
      expect(run("in", Buffer.from(s, "utf8").toString("hex") || "")).toBe(cesu8(s));
    }
  });

  it("agrees with Node's fatal TextDecoder on 120 random byte runs", () => {
    var rnd = seeded(15);
    for (var i = 0; i < 120; i++) {
      // Mostly valid text with a byte changed now and then: near misses, not only noise.
      var b = Buffer.from(randomString(rnd, false), "utf8");
      if (rnd() < 0.5 && b.length) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      var expected: string;
      try {
        expected = cesu8(fatal.decode(b));
      } catch {
        expected = "BAD";
      }
      expect(run("in", b.toString("hex"))).toBe(expected);
    }
  });

  it("writes a string's UTF-8, with or without its COMPACT length, only within the buffer", () => {
    var rnd = seeded(16);
    for (var i = 0; i < 120; i++) {
      var s = randomString(rnd, true);
      var prefixed = rnd() < 0.5 ? 1 : 0;
      var cap = Math.floor(rnd() * 80);
      var at = Math.floor(rnd() * (cap + 1));
      var got = run("out", cesu8(s) || "", String(cap), String(at), String(prefixed));
      if (LONE_SURROGATE.test(s)) {
        expect(got).toBe("BAD"); // and nothing written (the driver checks)
        continue;
      }
      var utf8 = [...Buffer.from(s, "utf8")];
      var whole = prefixed ? varint(utf8.length).concat(utf8) : utf8;
      var buf = new Array(cap).fill(0xaa);
      for (var j = 0; j < whole.length && at + j < cap; j++) buf[at + j] = whole[j];
      expect(got).toBe(`${at + whole.length} ${hex(buf)}`.trim());
    }
  });

  it("writes long text's length as a multi-byte varint", () => {
    var s = "x".repeat(300);
    expect(run("out", cesu8(s), "400", "0", "1")).toBe(`302 ${hex([...varint(300), ...Buffer.from(s)]).padEnd(800, "a")}`);
  });
});
