// An in-memory Nordic UART Service peripheral that behaves as a real one does towards a central: the
// ATT MTU is the smaller of the two asked for (at least 23); a write longer than MTU − 3 is refused
// (ATT "invalid attribute value length"); writes without response take a controller buffer slot each
// and a central that writes while the buffer is full loses the packet (counted in `overflows`), as real
// controllers drop them; notifications carry at most MTU − 3 bytes and may be cut at any boundary.
// `port` is the firmware's side: what the central wrote comes out of it, and what it writes is notified.
import type { BytePort } from "../../core/byte-port";
import type { ConnectNus, NusSession } from "../ble/session";

export interface NusPeripheralOptions {
  name?: string;
  /** The largest ATT MTU this peripheral supports (23 on BLE 4.0 stacks, 247 with data length extension). */
  maxMtu?: number;
  /** Controller buffer slots for incoming writes without response (default 3). */
  buffers?: number;
  /** Cuts each notification further: given the bytes left, the next notification's size (1..left). */
  split?: (remaining: number) => number;
}

export interface NusPeripheral {
  /** What a BLE library's connect would be, for openBle(). */
  connect: ConnectNus;
  /** The firmware's end of the UART. */
  port: BytePort;
  /** Refuse connections (the peripheral stopped advertising) until set back to true. */
  advertising: boolean;
  connections: number;
  /** Chunk sizes the central wrote, in order. */
  writes: number[];
  /** Writes lost because the central did not wait for a free buffer. */
  overflows: number;
  /** The MTU agreed on the current (last) connection. */
  mtu: number;
  /** Ends the current connection from the peripheral's side (out of range, reset). */
  disconnect(reason: string): void;
}

export function nusPeripheral(o: NusPeripheralOptions = {}): NusPeripheral {
  const name = o.name ?? "Puck.js a1b2";
  const maxMtu = o.maxMtu ?? 247;
  let toFirmware: ((b: Uint8Array) => void) | null = null;
  let current: {
    notify: ((b: Uint8Array) => void) | null;
    bye: ((r: string) => void) | null;
    mtu: number;
    free: number;
    waiters: (() => void)[];
    up: boolean;
  } | null = null;
  const later = (fn: () => void) => setImmediate(fn);

  const p: NusPeripheral = {
    advertising: true,
    connections: 0,
    writes: [],
    overflows: 0,
    mtu: 23,
    connect: async (asked) => {
      await new Promise((r) => later(() => r(undefined)));
      if (!p.advertising) throw new Error(`${name} is not advertising (out of range?)`);
      if (current && current.up) throw new Error(`${name} is already connected`);
      const c = {
        notify: null as ((b: Uint8Array) => void) | null,
        bye: null as ((r: string) => void) | null,
        mtu: Math.max(23, Math.min(asked, maxMtu)),
        free: o.buffers ?? 3,
        waiters: [] as (() => void)[],
        up: true
      };
      current = c;
      p.connections++;
      p.mtu = c.mtu;
      const session: NusSession = {
        name,
        mtu: c.mtu,
        write(chunk) {
          if (!c.up) return Promise.reject(new Error("not connected"));
          if (chunk.length > c.mtu - 3)
            return Promise.reject(new Error(`ATT error 0x0d: invalid attribute value length (${chunk.length} > ${c.mtu - 3})`));
          p.writes.push(chunk.length);
          if (c.free === 0) {
            p.overflows++; // a real controller drops it: the central did not wait
            return Promise.resolve();
          }
          c.free--;
          const copy = chunk.slice();
          later(() => {
            // The radio sent it: the firmware gets the bytes, the buffer is free again.
            if (!c.up) return;
            if (toFirmware) toFirmware(copy);
            c.free++;
            const w = c.waiters.shift();
            if (w) w();
          });
          if (c.free > 0) return Promise.resolve();
          return new Promise<void>((resolve, reject) => c.waiters.push(() => (c.up ? resolve() : reject(new Error("disconnected")))));
        },
        onNotify: (cb) => (c.notify = cb),
        onDisconnect: (cb) => (c.bye = cb),
        disconnect: () => end(c, "")
      };
      return session;
    },
    port: {
      write(bytes) {
        const c = current;
        if (!c || !c.up) return; // nobody connected: the firmware's bytes go nowhere, as on a real board
        const room = c.mtu - 3;
        for (let at = 0; at < bytes.length;) {
          const left = Math.min(room, bytes.length - at);
          const n = Math.max(1, Math.min(left, o.split ? o.split(left) : left));
          const piece = bytes.slice(at, at + n);
          at += n;
          later(() => c.up && c.notify && c.notify(piece));
        }
      },
      onData: (cb) => (toFirmware = cb)
    },
    disconnect(reason) {
      if (current) end(current, reason);
    }
  };

  function end(c: NonNullable<typeof current>, reason: string): void {
    if (!c.up) return;
    c.up = false;
    for (const w of c.waiters.splice(0)) w();
    later(() => c.bye && c.bye(reason));
  }
  return p;
}
