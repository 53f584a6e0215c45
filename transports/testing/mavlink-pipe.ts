// A pair of byte ports for MAVLink link tests where each write is one MAVLink packet (the links write
// whole packets), with seeded random loss, duplication and reordering of packets.
import type { BytePort } from "../../core/byte-port";

/** Seeded xorshift, so a failure can be replayed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/**
 * Two byte ports where each write is one MAVLink packet (the link writes whole packets), delivered on
 * a later turn: with `faults`, each packet is lost, duplicated or held back behind the next one with
 * that probability each.
 */
export function packetPipe(faults = 0, seed = 1): [BytePort, BytePort] {
  const random = rng(seed);
  const make = (): BytePort & {
    cb: (b: Uint8Array) => void;
    held: Uint8Array | null;
    other?: BytePort & { cb: (b: Uint8Array) => void };
  } => ({
    cb: () => {},
    held: null,
    write(bytes: Uint8Array) {
      const copy = Uint8Array.from(bytes);
      const to = this.other!;
      const deliver = (b: Uint8Array) => setTimeout(() => to.cb(b), 0);
      const r = random();
      if (r < faults) return; // lost
      if (r < 2 * faults) deliver(copy); // duplicated
      if (this.held) {
        const held = this.held;
        this.held = null;
        deliver(copy);
        deliver(held);
        return;
      }
      if (r >= 2 * faults && r < 3 * faults) {
        this.held = copy; // goes out after the next packet
        return;
      }
      deliver(copy);
    },
    onData(cb: (b: Uint8Array) => void) {
      this.cb = cb;
    }
  });
  const a = make();
  const b = make();
  a.other = b;
  b.other = a;
  return [a, b];
}
