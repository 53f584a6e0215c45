// `--can` specs: `slcan:PATH[:BITRATE][?opts]` and `socketcan:IFACE[?opts]`, with the options
// node=N (this node's address; default: random), ids=11|29, fd, maxFrame=N, bs=N, stmin=MS.
import { randomInt } from "node:crypto";
import { CanLink, CanLinkOptions } from "./can-link";
import { IdFormat, maxNode } from "./ids";
import type { CanAdapter } from "./adapter";

export interface CanSpec {
  kind: "slcan" | "socketcan";
  /** The serial device (or tcp://host:port) of slcan, the interface name of socketcan. */
  where: string;
  bitrate?: number;
  /** Whether the node address was given (else it was picked at random). */
  nodeGiven: boolean;
  link: CanLinkOptions;
}

function int(text: string, what: string, min: number, max: number): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= min && n <= max))
    throw new Error(`--can: ${what} must be a whole number ${min}..${max}, got "${text}"`);
  return n;
}

export function parseCanSpec(spec: string): CanSpec {
  const q = spec.indexOf("?");
  const head = q >= 0 ? spec.slice(0, q) : spec;
  const params = new URLSearchParams(q >= 0 ? spec.slice(q + 1) : "");
  const colon = head.indexOf(":");
  const kind = head.slice(0, colon);
  let where = head.slice(colon + 1);
  if (colon < 0 || (kind !== "slcan" && kind !== "socketcan") || !where) {
    throw new Error(`--can: "${spec}" is not slcan:PATH[:BITRATE] or socketcan:IFACE (e.g. slcan:/dev/ttyACM0:500000, socketcan:can0)`);
  }
  let bitrate: number | undefined;
  const m = /^(.*):(\d+)$/.exec(where);
  if (kind === "slcan" && m && !/^tcp:\/\/[^:]+$/.test(m[1])) {
    where = m[1];
    bitrate = int(m[2], "the bitrate", 1, 8000000);
  }
  const ids: IdFormat = params.get("ids") === "29" ? "29-bit" : "11-bit";
  if (params.has("ids") && !["11", "29"].includes(params.get("ids")!))
    throw new Error(`--can: ids must be 11 or 29, got "${params.get("ids")}"`);
  const nodeText = params.get("node");
  const link: CanLinkOptions = { node: nodeText === null ? randomInt(0, maxNode(ids) + 1) : int(nodeText, "node", 0, maxNode(ids)), ids };
  if (params.has("fd")) link.fd = params.get("fd") !== "false" && params.get("fd") !== "0";
  if (params.has("maxFrame")) link.maxFrame = int(params.get("maxFrame")!, "maxFrame", 20, 0xffffffff);
  if (params.has("bs")) link.blockSize = int(params.get("bs")!, "bs", 0, 255);
  if (params.has("stmin")) link.stMinMs = int(params.get("stmin")!, "stmin", 0, 127);
  return { kind, where, bitrate, nodeGiven: nodeText !== null, link };
}

/** Opens the adapter a spec names and a CAN link over it. */
export async function openCan(spec: string | CanSpec): Promise<CanLink> {
  const s = typeof spec === "string" ? parseCanSpec(spec) : spec;
  let adapter: CanAdapter;
  if (s.kind === "slcan") adapter = await (await import("./slcan")).openSlcan(s.where, { bitrate: s.bitrate, fd: s.link.fd });
  else adapter = await (await import("./socketcan")).openSocketCan(s.where, { fd: s.link.fd });
  try {
    return new CanLink(adapter, s.link);
  } catch (e) {
    adapter.close();
    throw e;
  }
}
