// A Nordic UART Service peripheral whose UART is a byte stream at tcp://HOST:PORT, for tests: the
// Espruino sim serves its board's `Bluetooth` (a pty) there (engines/espruino/sim.ts). It behaves
// towards a central as a BLE 4.0 peripheral does: the ATT MTU is the smaller of the two asked for (23
// by default), a write longer than MTU − 3 is refused, a write without response is taken once per
// connection interval, and what the board writes is notified in pieces of at most MTU − 3 bytes.
import { connect as tcpConnect } from "node:net";
import type { ConnectNus, NusSession } from "../ble/session";
import { parseHostPort } from "../address";

export interface TcpNusOptions {
  name?: string;
  /** The largest ATT MTU the peripheral supports (default 23). */
  maxMtu?: number;
  /** Time between two writes the peripheral takes, ms (default 7.5, the shortest BLE connection interval). */
  intervalMs?: number;
}

export interface TcpNusPeripheral {
  connect: ConnectNus;
  advertising: boolean;
  connections: number;
}

export function tcpNusPeripheral(url: string, o: TcpNusOptions = {}): TcpNusPeripheral {
  const { host, port } = parseHostPort(url.replace(/^tcp:\/\//, ""), "simulated NUS peripheral");
  const name = o.name ?? `NUS at ${url}`;
  const p: TcpNusPeripheral = {
    advertising: true,
    connections: 0,
    connect: (asked) =>
      new Promise<NusSession>((resolve, reject) => {
        const sock = tcpConnect(port, host);
        sock.once("error", (e) => reject(new Error(`${name} does not answer: ${e.message}`)));
        sock.once("connect", () => {
          p.connections++;
          sock.setNoDelay(true);
          const mtu = Math.max(23, Math.min(asked, o.maxMtu ?? 23));
          const room = mtu - 3;
          let up = true;
          let notify: ((b: Uint8Array) => void) | null = null;
          let bye: ((reason: string) => void) | null = null;
          const end = (reason: string) => {
            if (!up) return;
            up = false;
            sock.destroy();
            if (bye) bye(reason);
          };
          sock.on("data", (b) => {
            // Not yet subscribed: a real peripheral's notifications go nowhere either.
            for (let at = 0; notify && at < b.length; at += room) notify(new Uint8Array(b.subarray(at, at + room)));
          });
          sock.on("error", () => {});
          sock.on("close", () => end("the board's link closed"));
          resolve({
            name,
            mtu,
            write(chunk) {
              if (!up) return Promise.reject(new Error("not connected"));
              if (chunk.length > room)
                return Promise.reject(new Error(`ATT error 0x0d: invalid attribute value length (${chunk.length} > ${room})`));
              return new Promise<void>((done) => sock.write(chunk, () => setTimeout(done, o.intervalMs ?? 7.5)));
            },
            onNotify: (cb) => (notify = cb),
            onDisconnect: (cb) => (bye = cb),
            disconnect: () => end("")
          });
        });
      })
  };
  return p;
}
