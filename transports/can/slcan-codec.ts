// The slcan (Lawicel) serial-line CAN protocol of USB adapters such as CANable: commands and frames are
// ASCII lines ended by \r; the adapter answers \r for OK and \a (bell) for an error.
//   t iii L dd..       classic frame, 11-bit id, L = 0..8 data bytes
//   T iiiiiiii L dd..  classic frame, 29-bit id
//   d / D              CAN FD frame without bit-rate switch (L is a DLC code 0..F), b / B with it
//   S0..S8             bitrate 10k..1M; O open; C close
import type { CanFrame } from "./frame";
import { FD_LENGTHS, dlcOf } from "./frame";

/** slcan's bitrate commands (S0..S8). */
export const SLCAN_BITRATES: Record<number, string> = {
  10000: "S0",
  20000: "S1",
  50000: "S2",
  100000: "S3",
  125000: "S4",
  250000: "S5",
  500000: "S6",
  750000: "S7",
  1000000: "S8"
};

export function bitrateCommand(bitrate: number): string {
  const cmd = SLCAN_BITRATES[bitrate];
  if (!cmd) throw new RangeError(`slcan: no command sets a CAN bitrate of ${bitrate} (one of ${Object.keys(SLCAN_BITRATES).join(", ")})`);
  return cmd;
}

const HEX = "0123456789ABCDEF";

/** The line (with its \r) that transmits `f`. */
export function encodeSlcan(f: CanFrame): string {
  const n = f.data.length;
  const dlc = dlcOf(n);
  if (dlc < 0 || (!f.fd && n > 8)) throw new RangeError(`slcan: no ${f.fd ? "CAN FD" : "CAN"} frame has ${n} data bytes`);
  let s =
    (f.fd ? (f.extended ? "D" : "d") : f.extended ? "T" : "t") +
    f.id
      .toString(16)
      .toUpperCase()
      .padStart(f.extended ? 8 : 3, "0") +
    HEX[dlc];
  for (let i = 0; i < n; i++) s += HEX[f.data[i] >> 4] + HEX[f.data[i] & 15];
  return s + "\r";
}

export type SlcanLine =
  | { type: "frame"; frame: CanFrame }
  | { type: "ok" }
  | { type: "bell" }
  | { type: "status"; flags: number }
  | { type: "other"; text: string }
  | { type: "bad"; text: string };

function hexValue(s: string, from: number, len: number): number {
  if (from + len > s.length) return -1;
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const d = HEX.indexOf(s[i].toUpperCase());
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Reads one line (without its \r). Frames may carry a 4-digit timestamp after the data, which is ignored. */
export function parseSlcanLine(s: string): SlcanLine {
  if (s === "" || s === "z" || s === "Z") return { type: "ok" };
  const c = s[0];
  const extended = c === "T" || c === "D" || c === "B" || c === "R";
  const fd = "dDbB".indexOf(c) >= 0;
  if ("tTdDbB".indexOf(c) < 0) {
    if (c === "F" && s.length === 3 && hexValue(s, 1, 2) >= 0) return { type: "status", flags: hexValue(s, 1, 2) };
    return { type: "other", text: s };
  }
  const idLen = extended ? 8 : 3;
  const id = hexValue(s, 1, idLen);
  const dlc = hexValue(s, 1 + idLen, 1);
  if (id < 0 || dlc < 0 || id > (extended ? 0x1fffffff : 0x7ff) || (!fd && dlc > 8)) return { type: "bad", text: s };
  const n = fd ? FD_LENGTHS[dlc] : dlc;
  const at = 2 + idLen;
  if (s.length !== at + 2 * n && s.length !== at + 2 * n + 4) return { type: "bad", text: s };
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = hexValue(s, at + 2 * i, 2);
    if (b < 0) return { type: "bad", text: s };
    data[i] = b;
  }
  const frame: CanFrame = { id, extended, data };
  if (fd) frame.fd = true;
  return { type: "frame", frame };
}

/** Splits a byte stream into slcan lines (\r ends a line, \a is a line of its own); lines are bounded. */
export class SlcanLineReader {
  private line = "";
  private overlong = false;
  /** Longest line: an extended FD frame with 64 bytes and a timestamp. */
  static readonly MAX_LINE = 1 + 8 + 1 + 128 + 4;

  feed(bytes: Uint8Array, each: (line: SlcanLine) => void): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x07) {
        this.line = "";
        this.overlong = false;
        each({ type: "bell" });
      } else if (b === 0x0d) {
        if (this.overlong) each({ type: "bad", text: this.line.slice(0, 20) + "…" });
        else each(parseSlcanLine(this.line));
        this.line = "";
        this.overlong = false;
      } else if (b !== 0x0a) {
        if (this.line.length >= SlcanLineReader.MAX_LINE) this.overlong = true;
        else this.line += String.fromCharCode(b);
      }
    }
  }
}
