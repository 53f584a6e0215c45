import { cobsDecode } from "../../core/cobs";
import { crc32 } from "../../core/crc32";
import { readU32, HEADER_SIZE } from "../../core/header";
import { hexId } from "../../core/hex";

/** One frame found in captured bytes, before its header is looked at. */
export interface RawFrame {
  bytes: Uint8Array; // header ‖ payload (CRC stripped for stream frames)
  framing: "stream" | "bare";
  crcOk: boolean | null; // null: a bare frame has no CRC
  problem?: string; // why the chunk is not a frame at all, or why its CRC failed
}

/**
 * A stream capture ends in 0x00 and has no other zeros inside a frame, so "ends in 00" picks stream
 * framing; a bare frame almost always holds zeros in its header. A header whose length field counts
 * exactly the bytes after it is a bare frame, whatever its magic (a stream frame has no zero byte to
 * make such a length of), so a bad-magic bare frame that ends in 00 is reported as bad magic, not as
 * bad COBS. --stream / --bare override the guess.
 */
export function guessFraming(bytes: Uint8Array): "stream" | "bare" {
  if (bytes[0] === 0xce) return "bare";
  if (bytes.length >= HEADER_SIZE && readU32(bytes, 16) === bytes.length - HEADER_SIZE) return "bare";
  return bytes[bytes.length - 1] === 0 ? "stream" : "bare";
}

/** Splits a stream capture at each 0x00 and undoes COBS and the CRC of every chunk. */
export function splitStream(bytes: Uint8Array): RawFrame[] {
  const frames: RawFrame[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0) continue;
    if (i > start) frames.push(unstuff(bytes.subarray(start, i), i === bytes.length));
    start = i + 1;
  }
  return frames;
}

function unstuff(chunk: Uint8Array, unterminated: boolean): RawFrame {
  const out = new Uint8Array(chunk.length);
  const n = cobsDecode(chunk, out);
  if (n < 0) return { bytes: chunk, framing: "stream", crcOk: null, problem: "not valid COBS" };
  const note = unterminated ? " (no 00 delimiter at the end: truncated capture?)" : "";
  if (n < 4)
    return { bytes: out.subarray(0, n), framing: "stream", crcOk: null, problem: `only ${n} bytes after COBS, no room for a CRC` + note };
  const frame = out.subarray(0, n - 4);
  const want = readU32(out, n - 4);
  const got = crc32(frame);
  if (want !== got) {
    return {
      bytes: frame,
      framing: "stream",
      crcOk: false,
      problem: `CRC mismatch: frame says ${hexId(want)}, bytes give ${hexId(got)}` + note
    };
  }
  return {
    bytes: frame,
    framing: "stream",
    crcOk: true,
    problem: unterminated ? "no 00 delimiter at the end: truncated capture?" : undefined
  };
}
