// What carries MAVLink bytes: a UDP socket (listening: answer whoever sent; udpout: one address) or a
// byte stream (a serial port through the serial transport's reconnecting port, or any BytePort).
import { createSocket, Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { BytePort } from "../../core/byte-port";
import { parseHostPort, formatHostPort, HostPort } from "../address";

export interface Carrier {
  /** Datagrams end every packet (a partial one is dropped at the end); streams carry on. */
  readonly datagram: boolean;
  readonly label: string;
  /** Writes to one endpoint, or (none given) to every endpoint heard lately / the only one. */
  write(bytes: Uint8Array, endpoint?: string): void;
  onData(cb: (bytes: Uint8Array, endpoint: string) => void): void;
  onClose(cb: () => void): void;
  onError(cb: (err: Error) => void): void;
  close(): void;
  /** The local UDP address, when there is one. */
  readonly local?: HostPort;
}

const MAX_UDP_ENDPOINTS = 64;

/** `listen` (bind, answer every address heard within `ttlMs`) or `connect` (send to one address). */
export async function udpCarrier(mode: "listen" | "connect", address: string, ttlMs = 60000): Promise<Carrier> {
  const at = parseHostPort(address, mode === "listen" ? "mavlink udp" : "mavlink udpout");
  const socket: Socket = createSocket(isIPv6(at.host) ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", (e) => reject(new Error(`mavlink: cannot open udp ${address}: ${e.message}`, { cause: e })));
    socket.bind(mode === "listen" ? at.port : 0, mode === "listen" ? at.host : undefined, () => resolve());
  });
  socket.removeAllListeners("error");
  // Remote endpoints, least recently heard first; a flood of source addresses evicts, never grows.
  const heard = new Map<string, { host: string; port: number; at: number }>();
  if (mode === "connect") heard.set(formatHostPort(at.host, at.port), { host: at.host, port: at.port, at: Infinity });
  let dataCb: (bytes: Uint8Array, endpoint: string) => void = () => {};
  let closeCb: () => void = () => {};
  let errorCb: (err: Error) => void = () => {};
  let closed = false;
  socket.on("message", (msg, r) => {
    const key = formatHostPort(r.address, r.port);
    if (mode === "listen") {
      heard.delete(key);
      heard.set(key, { host: r.address, port: r.port, at: Date.now() });
      if (heard.size > MAX_UDP_ENDPOINTS) heard.delete(heard.keys().next().value!);
    } else if (!heard.has(key)) return; // udpout hears only its router
    dataCb(msg, key);
  });
  socket.on("error", (e) => errorCb(e));
  const a = socket.address();
  return {
    datagram: true,
    label: (mode === "listen" ? "mavlink udp:" : "mavlink udpout:") + address,
    local: { host: a.address, port: a.port },
    write(bytes, endpoint) {
      if (closed) return;
      const copy = Buffer.from(bytes);
      if (endpoint !== undefined) {
        const e = heard.get(endpoint);
        if (e) socket.send(copy, e.port, e.host);
        return;
      }
      const since = Date.now() - ttlMs;
      for (const e of heard.values()) if (e.at >= since) socket.send(copy, e.port, e.host);
    },
    onData: (cb) => (dataCb = cb),
    onClose: (cb) => (closeCb = cb),
    onError: (cb) => (errorCb = cb),
    close() {
      if (closed) return;
      closed = true;
      socket.close();
      closeCb();
    }
  };
}

/** A byte stream: one endpoint, "stream". */
export function streamCarrier(port: BytePort, label: string): Carrier {
  let closeCb: () => void = () => {};
  let closed = false;
  if (port.onClose)
    port.onClose(() => {
      if (!closed) {
        closed = true;
        closeCb();
      }
    });
  return {
    datagram: false,
    label,
    write(bytes) {
      if (!closed) port.write(Uint8Array.from(bytes));
    },
    onData(cb) {
      port.onData((bytes) => cb(bytes, "stream"));
    },
    onClose: (cb) => (closeCb = cb),
    onError(cb) {
      if (port.onError) port.onError(cb);
    },
    close() {
      if (closed) return;
      closed = true;
      if (port.close) port.close();
      closeCb();
    }
  };
}
