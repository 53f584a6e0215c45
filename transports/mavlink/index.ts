// MAVLink links: `udp:HOST:PORT` (listen, answer whoever sent), `udpout:HOST:PORT` (to a ground station
// or router), `serial:PATH[:BAUD]` (a telemetry radio, default 57600 baud). node-mavlink is loaded here.
import type { BytePort } from "../../core/byte-port";
import { loadMavlink } from "./codec";
import { udpCarrier, streamCarrier, Carrier } from "./carriers";
import { MavlinkLink, MavlinkOptions, MavlinkTransport } from "./link";

export type { MavlinkOptions, MavlinkTransport, MavlinkPeer } from "./link";
export type { SigningOptions } from "./signing";
export { CELL_PAYLOAD_TYPE } from "./fragments";

export const DEFAULT_MAVLINK_BAUD = 57600;

export interface MavlinkOpenOptions extends MavlinkOptions {
  /** A byte stream instead of an address (a device engine's port, a test pipe). */
  port?: BytePort;
}

/** Parses `udp:H:P`, `udpout:H:P`, `serial:PATH[:BAUD]` (PATH may be `tcp://h:p`). */
export function parseMavlinkAddress(text: string): { kind: "udp" | "udpout" | "serial"; address: string; baud: number } {
  const m = /^(udp|udpout|serial):(.+)$/.exec(text.trim());
  if (!m) throw new Error(`mavlink: "${text}" is not udp:HOST:PORT, udpout:HOST:PORT or serial:PATH[:BAUD]`);
  const kind = m[1] as "udp" | "udpout" | "serial";
  if (kind !== "serial") return { kind, address: m[2], baud: 0 };
  const b = /^(.*):(\d+)$/.exec(m[2]);
  if (b && !/^tcp:\/\/[^:]+$/.test(b[1])) {
    const baud = Number(b[2]);
    if (!(baud > 0)) throw new Error(`mavlink: bad baud rate in "${text}"`);
    return { kind, address: b[1], baud };
  }
  return { kind, address: m[2], baud: DEFAULT_MAVLINK_BAUD };
}

async function carrierFor(address: string, port?: BytePort): Promise<Carrier> {
  if (port) return streamCarrier(port, "mavlink " + address);
  const a = parseMavlinkAddress(address);
  if (a.kind !== "serial") return udpCarrier(a.kind === "udp" ? "listen" : "connect", a.address);
  const { ReconnectingPort } = await import("../reconnecting-port");
  const { parseTcpTarget } = await import("../serial");
  const tcp = parseTcpTarget(a.address);
  const medium = tcp
    ? (await import("../tcp-medium")).tcpMedium(tcp.host, tcp.port, 5000)
    : (await import("../serialport-medium")).serialPortMedium(a.address, a.baud);
  const rp = new ReconnectingPort(tcp ? a.address : `serial port ${a.address}`, medium, {});
  await rp.start();
  return streamCarrier(rp, "mavlink serial:" + a.address);
}

/** Opens a MAVLink link (needs the npm packages node-mavlink and mavlink-mappings). */
export async function openMavlink(address: string, opts?: MavlinkOpenOptions): Promise<MavlinkTransport> {
  const o = opts || {};
  const m = await loadMavlink();
  return new MavlinkLink(m, await carrierFor(address, o.port), o);
}

/**
 * Joins MAVLink links as a minimal router: every packet one of them reads that is not ours goes out
 * unchanged on the others (spec/mavlink.md §5). Returns the function that parts them.
 */
export function joinMavlinkLinks(links: MavlinkTransport[]): () => void {
  const offs = links.map((from) =>
    from.onPacket((bytes) => {
      for (const to of links) if (to !== from) to.sendRaw(bytes);
    })
  );
  return () => offs.forEach((off) => off());
}
