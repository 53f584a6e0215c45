// SLIP framing as the ESP ROM loader uses it (Espressif's "Serial Protocol" document): each packet
// starts and ends with 0xC0; inside, 0xC0 is sent as 0xDB 0xDC and 0xDB 0xDD stands for 0xDB.
export const SLIP_END = 0xc0;
const SLIP_ESC = 0xdb;
const SLIP_ESC_END = 0xdc;
const SLIP_ESC_ESC = 0xdd;

export function slipEncode(packet: Uint8Array): Uint8Array {
  const out: number[] = [SLIP_END];
  for (const b of packet) {
    if (b === SLIP_END) out.push(SLIP_ESC, SLIP_ESC_END);
    else if (b === SLIP_ESC) out.push(SLIP_ESC, SLIP_ESC_ESC);
    else out.push(b);
  }
  out.push(SLIP_END);
  return Uint8Array.from(out);
}

/** What feed() made of the bytes: whole packets, and how many were dropped (too long or a bad escape). */
export interface SlipFeed {
  packets: Uint8Array[];
  dropped: number;
}

/** Reassembles packets from chunks cut anyhow; a packet longer than `maxBytes` is dropped, not buffered. */
export function slipDecoder(maxBytes: number): { feed(chunk: Uint8Array): SlipFeed } {
  const buf = new Uint8Array(maxBytes);
  let len = 0;
  let inPacket = false;
  let escaped = false;
  let broken = false;
  return {
    feed(chunk) {
      const result: SlipFeed = { packets: [], dropped: 0 };
      for (const b of chunk) {
        if (b === SLIP_END) {
          if (inPacket && (len > 0 || broken)) {
            if (broken) result.dropped++;
            else result.packets.push(buf.slice(0, len));
          }
          inPacket = true;
          len = 0;
          escaped = false;
          broken = false;
          continue;
        }
        if (!inPacket || broken) continue;
        let v = b;
        if (escaped) {
          escaped = false;
          if (b === SLIP_ESC_END) v = SLIP_END;
          else if (b === SLIP_ESC_ESC) v = SLIP_ESC;
          else {
            broken = true;
            continue;
          }
        } else if (b === SLIP_ESC) {
          escaped = true;
          continue;
        }
        if (len >= maxBytes) {
          broken = true;
          continue;
        }
        buf[len++] = v;
      }
      return result;
    }
  };
}
