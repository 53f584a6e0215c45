import { describe, it, expect } from "vitest";
import { consoleSplitter, type Piece } from "./console-splitter";
import { frameText } from "./frame-text";
import { streamFrame } from "./test-frames";
import { Kind } from "../../core/header";
import { Thermo } from "../../examples/thermo/schema";

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

/** What a monitor prints for pieces: text as it is, frames as their inline line. */
function shown(pieces: Piece[]): string {
  const text = new TextDecoder(); // streaming, as the monitor's: a character may be cut between pieces
  return pieces.map((p) => ("text" in p ? text.decode(p.text, { stream: true }) : `[${frameText(p.frame, [Thermo])}]`)).join("");
}

const read = streamFrame(Thermo, "read", Kind.Request, 3, "C");
const answer = streamFrame(Thermo, "read", Kind.Response, 3, { unit: "C", value: 21.5 });
const alarm = streamFrame(Thermo, "alarm", Kind.Event, 0, { value: 31, threshold: 30 });
const stream = cat(enc("boot ok\r\n"), read, enc("reading sensor\n"), answer, alarm, enc("Σ done\n"));

describe("console text and stream frames on one port", () => {
  it("passes text through and decodes each frame by the schema", () => {
    const s = consoleSplitter();
    const out = shown([...s.feed(stream), ...s.flush()]);
    expect(out).toBe(
      'boot ok\r\n[⟨frame thermo.read req #3 "C"⟩]reading sensor\n[⟨frame thermo.read res #3 {unit:"C",value:21.5}⟩][⟨frame thermo.alarm evt #0 {value:31,threshold:30}⟩]Σ done\n'
    );
  });

  it("gives the same pieces whatever the chunks the bytes arrive in", () => {
    const whole = (() => {
      const s = consoleSplitter();
      return shown([...s.feed(stream), ...s.flush()]);
    })();
    for (const size of [1, 2, 3, 7, 19]) {
      const s = consoleSplitter();
      const pieces: Piece[] = [];
      for (let i = 0; i < stream.length; i += size) pieces.push(...s.feed(stream.subarray(i, i + size)));
      pieces.push(...s.flush());
      expect(shown(pieces), `chunks of ${size}`).toBe(whole);
    }
  });

  it("prints a damaged frame (bad CRC) and stray 0xCE bytes as text, never as a frame", () => {
    const broken = answer.slice();
    broken[8] ^= 0x40;
    const s = consoleSplitter();
    const pieces = [...s.feed(cat(enc("x\x05\xce\x01y\n"), broken, read)), ...s.flush()];
    expect(pieces.filter((p) => "frame" in p)).toHaveLength(1);
    expect(shown(pieces)).toMatch(/\[⟨frame thermo\.read req #3 "C"⟩\]$/);
  });

  it("holds at most maxHeld bytes of an unterminated candidate, then gives them as text", () => {
    const s = consoleSplitter(64);
    const pieces = s.feed(cat(enc("a"), read.subarray(0, read.length - 1), new Uint8Array(80).fill(0x41)));
    expect(s.holding()).toBe(false);
    expect(pieces.every((p) => "text" in p)).toBe(true);
  });

  it("shows a frame without a schema in hex", () => {
    const s = consoleSplitter();
    const [p] = s.feed(read);
    expect("frame" in p && frameText(p.frame, [])).toBe(
      `⟨frame 0x${Thermo.id.toString(16).padStart(8, "0")}.0x${Thermo.info.read.id.toString(16).padStart(8, "0")} req #3 00⟩`
    );
  });
});
