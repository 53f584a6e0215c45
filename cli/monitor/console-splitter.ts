// Splits what a board's port sends into console text and cell stream frames (COBS, ending in 0x00). A
// stream frame starts with a COBS code byte, then the header's magic 0xCE: the code byte counts the bytes
// before the header's first zero, and the length field's top byte is zero, so it is 2..20. Console text
// holds no 0x00; a candidate is a frame when it unstuffs, passes its CRC and begins with the magic, and
// text otherwise (a UTF-8 "Σ" is CE A3).
import { HEADER_SIZE } from "../../core/header";
import { splitStream, type RawFrame } from "../wire/split";

const MAGIC = 0xce;
const isCodeByte = (b: number) => b >= 2 && b <= HEADER_SIZE;

export type Piece = { text: Uint8Array } | { frame: RawFrame };

export interface ConsoleSplitter {
  /** Feeds bytes as they arrive; returns the pieces now complete, in order. */
  feed(bytes: Uint8Array): Piece[];
  /** Whether bytes are held back as a possible frame start (flush them when the port goes idle). */
  holding(): boolean;
  /** Gives back what is held as a possible frame start: as text. */
  flush(): Piece[];
}

/** `maxHeld`: the longest stuffed frame waited for; a longer candidate is text. */
export function consoleSplitter(maxHeld = 65536): ConsoleSplitter {
  let held = new Uint8Array(0);
  return {
    feed(bytes) {
      const buf = new Uint8Array(held.length + bytes.length);
      buf.set(held);
      buf.set(bytes, held.length);
      const out: Piece[] = [];
      let textStart = 0;
      let holdFrom = buf.length;
      for (let i = 1; i < buf.length; i++) {
        if (buf[i] !== MAGIC || !isCodeByte(buf[i - 1]) || i - 1 < textStart) continue;
        const end = buf.indexOf(0, i);
        if (end < 0) {
          if (buf.length - (i - 1) <= maxHeld) {
            holdFrom = i - 1; // wait for the rest
            break;
          }
          continue;
        }
        const [raw] = splitStream(buf.subarray(i - 1, end + 1));
        if (!raw || raw.crcOk !== true || raw.bytes.length < HEADER_SIZE || raw.bytes[0] !== MAGIC) continue;
        if (i - 1 > textStart) out.push({ text: buf.slice(textStart, i - 1) });
        out.push({ frame: { ...raw, bytes: raw.bytes.slice() } });
        textStart = end + 1;
        i = end + 1;
      }
      // The last byte may be the code byte of a frame still on its way.
      if (holdFrom === buf.length && buf.length > textStart && isCodeByte(buf[buf.length - 1])) holdFrom = buf.length - 1;
      if (holdFrom > textStart) out.push({ text: buf.slice(textStart, holdFrom) });
      held = buf.slice(Math.max(holdFrom, textStart));
      return out;
    },
    holding: () => held.length > 0,
    flush() {
      const out: Piece[] = held.length ? [{ text: held }] : [];
      held = new Uint8Array(0);
      return out;
    }
  };
}
