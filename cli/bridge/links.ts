// Opening the links named on the command line. Each transport is imported only when asked for, so
// `cell ls --udp ...` never loads serialport, QUIC or NATS.
import type { Transport } from "../../core/transport";
import { CliError, ExitCode } from "../exit-codes";
import { UsageError, option, hostPort } from "../args";

/** A link to reach a bridge as a client: --udp host:port (default 127.0.0.1:7420), --quic host:port --fingerprint, --nats url. */
export interface TargetOptions {
  udp?: string;
  quic?: string;
  fingerprint?: string;
  nats?: string;
}

/** The options of every command that reaches a bridge as a client (ls, call, watch). */
export const TARGET_OPTIONS = {
  udp: option({ value: "host:port", help: "the bridge's UDP address (default 127.0.0.1:7420)", parse: hostPort }),
  quic: option({ value: "host:port", help: "reach it over QUIC instead; needs --fingerprint (printed by cell bridge)", parse: hostPort }),
  fingerprint: option({
    value: "hex",
    help: "the bridge's key fingerprint (SHA-256 of its Ed25519 public key, 64 hex digits), for --quic",
    parse: fingerprint
  }),
  nats: option({ value: "url", help: "reach the cells over NATS instead, e.g. nats://127.0.0.1:4222", parse: natsUrl })
};

function fingerprint(text: string): string {
  const hex = text.replace(/:/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`takes a SHA-256 fingerprint (64 hex digits), got ${JSON.stringify(text)}`);
  return hex;
}

/** nats://host:port (or tls://, ws://, wss://), or a bare host:port; several separated by commas. */
export function natsUrl(text: string): string {
  for (const one of text.split(",")) {
    const m = /^(?:(nats|tls|ws|wss):\/\/)?(?:[^@/\s]+@)?([^:/\s]+|\[[^\]]+\])(?::(\d{1,5}))?\/?$/.exec(one.trim());
    if (!m || (m[3] !== undefined && Number(m[3]) > 65535))
      throw new Error(`takes a NATS server URL such as nats://127.0.0.1:4222, got ${JSON.stringify(text)}`);
  }
  return text;
}

/** Whatever went wrong opening a link is "unavailable": the bridge, port or server is not there. */
async function opening<T>(what: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    throw new CliError(`cannot open ${what}: ${(e as Error).message}`, ExitCode.Unavailable);
  }
}

export async function openTarget(o: TargetOptions): Promise<Transport> {
  const given = [o.udp, o.quic, o.nats].filter((x) => x !== undefined).length;
  if (given > 1) throw new UsageError("give one of --udp, --quic or --nats");
  if (o.quic !== undefined) {
    if (!o.fingerprint) throw new UsageError("--quic needs --fingerprint (cell bridge prints it when it starts)");
    const { openQuic } = await import("../../transports/quic");
    return opening(`quic ${o.quic}`, () => openQuic({ connect: o.quic!, fingerprints: [o.fingerprint!] }));
  }
  if (o.nats !== undefined) {
    const { openNats } = await import("../../transports/nats");
    return opening(`nats ${o.nats}`, () => openNats({ servers: o.nats!, announce: false }));
  }
  const { openUdp } = await import("../../transports/udp");
  const at = o.udp ?? "127.0.0.1:7420";
  return opening(`udp ${at}`, () => openUdp(at));
}

/**
 * Runs `work` with a link to the target and closes it after. A link error (nothing listens at that UDP
 * address, the connection broke) ends the work at once as Unavailable instead of waiting for timeouts.
 */
export async function withTarget<T>(o: TargetOptions, work: (link: Transport) => Promise<T>): Promise<T> {
  const link = await openTarget(o);
  const where = o.quic ?? o.nats ?? o.udp ?? "127.0.0.1:7420";
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // raced below; unobserved when the work ends first
  link.onError((err) => fail(new CliError(`no bridge answers at ${where}: ${err.message}`, ExitCode.Unavailable)));
  try {
    return await Promise.race([work(link), failed]);
  } finally {
    link.close();
  }
}

/** Splits "cell.member" at the last dot (cell names may contain dots, member names may not). */
export function splitTarget(text: string | undefined, what: string): { cell: string; member: string } {
  const dot = text ? text.lastIndexOf(".") : -1;
  if (!text || dot <= 0 || dot === text.length - 1)
    throw new UsageError(
      `expected cell.${what}, e.g. thermo.${what === "event" ? "alarm" : "read"}, got ${text ? JSON.stringify(text) : "nothing"}`
    );
  return { cell: text.substring(0, dot), member: text.substring(dot + 1) };
}
