// The simulated board's UART as a host link: a TCP socket to QEMU's `-serial tcp:` server, as a core
// BytePort, framed by core's streamLink. Kept apart from transports/serial so sim/ depends on core only.
import { connect, Socket } from "node:net";
import type { BytePort } from "../core/byte-port";
import type { Transport } from "../core/transport";
import { streamLink } from "../core/stream-link";

export interface TcpAddress {
  host: string;
  port: number;
}

/** `tcp://HOST:PORT` (host defaults to 127.0.0.1 when only `tcp://:PORT` or a bare port is given). */
export function parseTcpUrl(url: string): TcpAddress {
  var m = /^(?:tcp:\/\/)?([^:/]*):?(\d+)$/.exec(url.trim());
  var port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new Error(`not a tcp://HOST:PORT address: ${JSON.stringify(url)}`);
  return { host: m[1] || "127.0.0.1", port: port };
}

export function tcpUrl(port: number, host = "127.0.0.1"): string {
  return `tcp://${host}:${port}`;
}

/** Opens a socket; rejects with the OS error (ECONNREFUSED: nothing listens there). */
export function openSocket(addr: TcpAddress, timeoutMs = 5000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    var sock = connect(addr.port, addr.host);
    var timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no connection to ${tcpUrl(addr.port, addr.host)} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.setNoDelay(true);
      resolve(sock);
    });
    sock.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A socket as a BytePort. `write` copies (Buffer.from), since the link reuses its encode buffer. */
export function socketPort(sock: Socket): BytePort {
  var errorCb: ((e: Error) => void) | null = null;
  // An error before anyone listens must not become an uncaught exception; it still closes the socket.
  sock.on("error", (e) => {
    if (errorCb) errorCb(e);
  });
  return {
    write(bytes) {
      if (!sock.destroyed) sock.write(Buffer.from(bytes));
    },
    onData(cb) {
      sock.on("data", (chunk: Buffer) => cb(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    },
    onClose(cb) {
      sock.once("close", () => cb());
    },
    onError(cb) {
      errorCb = cb;
    },
    close() {
      sock.destroy();
    }
  };
}

/** A framed link over a socket; `maxFrame` should be the board's (boards/<id>.json maxFrameBytes). */
export function socketLink(sock: Socket, maxFrame: number): Transport {
  return streamLink(socketPort(sock), { maxFrame: maxFrame });
}
