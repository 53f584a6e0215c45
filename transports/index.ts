// Host transports, loaded lazily: each entry point imports its module (and that module its npm
// package) only when called, so a user of serial alone never loads QUIC or NATS code.
import type { Transport } from "../core/transport";
import type { SerialOptions, SerialTransport } from "./serial";
import type { UdpOptions, UdpTransport } from "./udp";
import type { QuicOptions, QuicTransport } from "./quic";
import type { NatsOptions, NatsTransport } from "./nats";

export type { SerialOptions, SerialTransport } from "./serial";
export type { ReconnectOptions } from "./reconnecting-port";
export type { UdpOptions, UdpConnectOptions, UdpListenOptions, UdpMulticastOptions, UdpTransport, UdpPeer } from "./udp";
export type { QuicOptions, QuicConnectOptions, QuicListenOptions, QuicTransport, QuicPeer } from "./quic";
export type { QuicIdentity } from "./quic-cert";
export type { NatsOptions, NatsTransport, NatsPeer } from "./nats";
export type { PtyDevice } from "./pty";
export { MissingPackageError } from "./optional";

/** A device path or pseudo-terminal (needs `serialport`), or `tcp://host:port` (QEMU, ser2net). */
export async function serial(path: string, opts?: SerialOptions): Promise<SerialTransport> {
  return (await import("./serial")).openSerial(path, opts);
}

/** `"host:port"` (a client), `{connect}`, `{listen}` or `{multicast, interface}`. */
export async function udp(opts: UdpOptions | string): Promise<UdpTransport> {
  return (await import("./udp")).openUdp(opts);
}

/** `{connect, fingerprints}` or `{listen}` (needs `@chainsafe/libp2p-quic`). */
export async function quic(opts: QuicOptions): Promise<QuicTransport> {
  return (await import("./quic")).openQuic(opts);
}

/** `{servers, serve?}` (needs `nats`). */
export async function nats(opts: NatsOptions): Promise<NatsTransport> {
  return (await import("./nats")).openNats(opts);
}

/** A pseudo-terminal pair made by python3 (no native module): `path` for serial(), `port` for a device. */
export async function pty(): Promise<import("./pty").PtyDevice> {
  return (await import("./pty")).openPty();
}

/** This machine's QUIC key and its fingerprint (what clients pin), made on first use. */
export async function quicIdentity(dir?: string): Promise<import("./quic-cert").QuicIdentity> {
  return (await import("./quic-cert")).loadOrCreateIdentity(dir);
}

function flag(q: URLSearchParams, name: string): boolean {
  return q.has(name) && q.get(name) !== "false" && q.get(name) !== "0";
}

function list(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(","))
    .filter((v) => v !== "");
}

function number(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`openTransport: ${name}=${v} is not a positive number`);
  return n;
}

/** Cell ids as names ("thermo"), decimal, or 0x-hex. */
async function cellIds(values: string[]): Promise<number[]> {
  const { fnv1a32String } = await import("../core/fnv");
  return values.map((v) => (/^0x[0-9a-f]{1,8}$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) >>> 0 : fnv1a32String(v)));
}

/**
 * Opens a link from a URL:
 * - `/dev/ttyUSB0`, `serial:/dev/ttyUSB0?baud=115200`, `tcp://127.0.0.1:5555` (serial over TCP)
 * - `udp://10.0.0.5:7420` (client), `udp://0.0.0.0:7420?listen`, `udp://239.255.67.1:7422?multicast&interface=127.0.0.1`
 * - `quic://10.0.0.5:7421?fingerprint=<sha256 hex>`, `quic://0.0.0.0:7421?listen[&clients=<fp>,<fp>]`
 * - `nats://127.0.0.1:4222?serve=thermo,0x2d2ce39e[&prefix=cell]`
 * Common query options: `maxFrame=`.
 */
export async function openTransport(url: string): Promise<Transport> {
  if (url.startsWith("/") || url.startsWith("serial:")) {
    const rest = url.replace(/^serial:(\/\/)?/, "");
    const [path, query] = rest.split("?", 2);
    const q = new URLSearchParams(query || "");
    return serial(path, {
      baudRate: number(q, "baud"),
      maxFrame: number(q, "maxFrame"),
      reconnect: q.get("reconnect") === "false" ? false : undefined
    });
  }
  const u = new URL(url);
  const q = u.searchParams;
  const hostPort = `${u.hostname}:${u.port}`; // hostname keeps an IPv6 address's brackets
  const maxFrame = number(q, "maxFrame");
  switch (u.protocol) {
    case "tcp:":
      return serial(`tcp://${hostPort}`, { maxFrame, reconnect: q.get("reconnect") === "false" ? false : undefined });
    case "udp:":
      if (flag(q, "multicast")) return udp({ multicast: hostPort, interface: q.get("interface") || undefined, maxFrame });
      return udp(flag(q, "listen") ? { listen: hostPort, maxFrame } : { connect: hostPort, maxFrame });
    case "quic:":
      if (flag(q, "listen")) return quic({ listen: hostPort, clients: q.has("clients") ? list(q, "clients") : undefined, maxFrame });
      return quic({ connect: hostPort, fingerprints: list(q, "fingerprint"), maxFrame });
    case "nats:":
    case "tls:":
      return nats({
        servers: `${u.protocol}//${u.host}`,
        serve: await cellIds(list(q, "serve")),
        prefix: q.get("prefix") || undefined,
        maxFrame
      });
    default:
      throw new Error(`openTransport: unknown scheme "${u.protocol}" in ${url} (serial:, tcp:, udp:, quic:, nats:)`);
  }
}
