// Serial links: a device path or pseudo-terminal through `serialport`, or `tcp://host:port` (QEMU's
// `-serial tcp:...`, ser2net) through node:net. Stream framing (COBS + CRC) from core's streamLink.
import type { Transport } from "../core/transport";
import type { ReconnectOptions } from "./reconnecting-port";
import { openReconnectingLink } from "./reconnecting-link";
import { tcpMedium } from "./tcp-medium";
import type { OpenMedium } from "./medium";
import { pacedPort, Pacing } from "./pacing";

export interface SerialOptions {
  /** Baud rate of a real serial port (default 115200; ignored over TCP). */
  baudRate?: number;
  /** Largest frame either end sends; both must agree (default: the device default, 1044). */
  maxFrame?: number;
  /** Reopen the port with backoff when it goes away (default on); false: the link closes instead. */
  reconnect?: boolean | ReconnectOptions;
  /** How long a TCP connect may take, in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Cut writes into chunks sent apart (a board whose engine loses bytes that come too fast); default: none. */
  pacing?: Pacing;
}

export interface SerialTransport extends Transport {
  /** What was opened: a device path or `tcp://host:port`. */
  readonly path: string;
  /** False while the port is away and being reopened; sends then fail with CellError(Unreachable). */
  readonly connected: boolean;
  /** Adds a listener told when the port goes away (false) and comes back (true); returns its remover. */
  onStatus(listener: (up: boolean) => void): () => void;
}

/** `tcp://host:port` → host and port, else null (a device path). */
export function parseTcpTarget(path: string): { host: string; port: number } | null {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(path);
  if (!m) {
    if (path.startsWith("tcp://")) throw new Error(`serial: "${path}" is not tcp://host:port`);
    return null;
  }
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536)) throw new Error(`serial: bad port in "${path}"`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

async function mediumFor(path: string, o: SerialOptions): Promise<OpenMedium> {
  const tcp = parseTcpTarget(path);
  if (tcp) return tcpMedium(tcp.host, tcp.port, o.connectTimeoutMs || 5000);
  // Loaded only here: a user of tcp:// never loads serialport's native part.
  const { serialPortMedium } = await import("./serialport-medium");
  return serialPortMedium(path, o.baudRate || 115200);
}

/**
 * Opens a serial link. Rejects with a clear message when the port is missing, busy or refuses;
 * once open, a lost port is reopened with backoff (unless `reconnect: false`).
 */
export async function openSerial(path: string, opts?: SerialOptions): Promise<SerialTransport> {
  const o = opts || {};
  const link = await openReconnectingLink(parseTcpTarget(path) ? path : `serial port ${path}`, await mediumFor(path, o), o, (port) =>
    o.pacing ? pacedPort(port, o.pacing) : port
  );
  return Object.assign(link, { path });
}
