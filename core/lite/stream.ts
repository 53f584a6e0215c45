// The lite stream link: COBS(frame ‖ CRC-32 LE) ‖ 0x00 over a serial port (spec/wire-format.md §3.1),
// with the same checks, order and drop reasons as core/stream.ts, written for size: one byte at a
// time, one fixed receive buffer of maxFrame + 4 bytes, one fixed send buffer. It is a LiteLink, not
// a whole Transport: a device's port never closes, and nothing on the device reads byte counts.
import type { BytePort } from "../byte-port";
import { LiteLink, r32 } from "./bytes";
import { CHUNKS, MAX_FRAME, WHOLE_BUFFER_WRITES } from "./features";

/** What `drops[i]` counts (a device keeps numbers: the names cost bytes and nothing reads them there). */
export var DROP_REASONS = ["BadCobs", "TooShort", "BadCrc", "BadMagic", "BadVersion", "BadKind", "BadLength", "TooLong"];

/**
 * A device's serial port as its engine gives it, so a board passes its own object with no wrapper:
 * Kaluma's UART, Espruino's Serial1/USB/Bluetooth ('data' brings a string of byte-valued characters
 * there; features.ts CHUNKS says which a build gets).
 */
export interface SerialPort {
  write(bytes: Uint8Array): void;
  on(event: "data", cb: (chunk: Uint8Array | string) => void): void;
}

/** A core BytePort (hosts, tests) as a SerialPort. */
export function serialOf(port: BytePort): SerialPort {
  return {
    write: function (b) {
      port.write(b);
    },
    on: function (_event, cb) {
      port.onData(cb);
    }
  };
}

export interface LiteStreamLink extends LiteLink {
  readonly drops: number[];
}

/** Frames over `port`; `crc` is CRC-32 (crc.ts, or Espruino's native E.CRC32), signed or unsigned. */
export function streamLink(port: SerialPort, maxFrame: number, crc: (b: Uint8Array) => number): LiteStreamLink {
  var cap = maxFrame + 4,
    buf = new Uint8Array(cap),
    out = new Uint8Array(cap + ((cap / 254) | 0) + 2);
  var drops = [0, 0, 0, 0, 0, 0, 0, 0],
    check = crc,
    listener: (frame: Uint8Array) => void;
  // Decoder state: decoded bytes, data bytes left in the COBS group, a 0x00 owed before the next group,
  // skipping a frame that is too long up to the next delimiter. (Unset is as good as 0 for all but len.)
  // A frame has started since the last delimiter exactly when one of len, rem and zero is set.
  var len = 0,
    rem: any,
    zero: any,
    skip: any;

  port.on("data", function (chunk: any) {
    for (var i = 0, c: number, n: number, why: number; i < chunk.length; i++) {
      if ((c = CHUNKS & 2 && (CHUNKS & 1 ? typeof chunk == "string" : 1) ? chunk.charCodeAt(i) : chunk[i])) {
        // A data byte, or a code byte that first stores the 0x00 ending the previous group.
        if (skip) continue;
        if (rem || zero) {
          if (len == cap) {
            drops[7]++;
            skip = 1;
            continue;
          }
          buf[len++] = rem ? c : 0;
        }
        if (rem) rem--;
        else {
          rem = c - 1;
          zero = c < 255;
        }
      } else {
        // A delimiter ends a frame, or (inside a group) a truncated one: checks in the spec's order.
        n = len - 4;
        why =
          skip || !(len || rem || zero)
            ? -2
            : rem
              ? 0
              : len < 24
                ? 1
                : check(buf.subarray(0, n)) ^ r32(buf, n)
                  ? 2 // equal as 32 bits: `crc` may answer signed
                  : buf[0] != 0xce
                    ? 3
                    : buf[1] != 1
                      ? 4
                      : (buf[2] & 15) > 5
                        ? 5
                        : r32(buf, 16) != n - 20
                          ? 6
                          : -1;
        // Reset before the frame is handed on, so the listener may feed this link again.
        len = rem = skip = zero = 0;
        if (why >= 0) drops[why]++;
        else if (why > -2 && listener) listener(buf.subarray(0, n));
      }
    }
  });

  var link: any = {
    drops: drops,
    send: function (frame: Uint8Array) {
      var n = frame.length,
        c = check(frame),
        p = 1,
        at = 0,
        i = 0,
        b: number;
      // TooLarge. A board build's server builds no frame longer than its buffer, the board's MAX_FRAME.
      if (!MAX_FRAME && n > maxFrame) throw 7;
      for (; i < n + 4; i++) {
        if ((b = i < n ? frame[i] : (c >>> (8 * (i - n))) & 255)) out[p++] = b;
        // A 0x00, or a full group of 254 bytes, closes the group: its code byte is its size + 1.
        if (!b || p - at > 254) {
          out[at] = p - at;
          at = p++;
        }
      }
      out[at] = p - at;
      out[p++] = 0;
      // A copy where the port would send the whole send buffer (features.ts); ES5 typed arrays have no slice.
      port.write(WHOLE_BUFFER_WRITES ? new Uint8Array(out.subarray(0, p)) : out.subarray(0, p));
    },
    onFrame: function (l: (frame: Uint8Array) => void) {
      listener = l;
    }
  };
  // A board build's server knows its frame size (features.ts MAX_FRAME) and never reads this.
  if (!MAX_FRAME) link.maxFrame = maxFrame;
  return link;
}
