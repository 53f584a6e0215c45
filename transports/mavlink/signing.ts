// MAVLink v2 message signing (spec/mavlink.md §4): node-mavlink's signature block, our timestamps and
// replay rule. The timestamp is in 10 µs units since 2015-01-01 and never goes back on our side.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Mavlink } from "./codec";
import { MavlinkDrop } from "./fragments";

export interface SigningOptions {
  /** 32-byte secret key, or a passphrase (its SHA-256 is the key, as Mission Planner makes it), or 64 hex digits. */
  key: Uint8Array | string;
  /** The link id written in our signatures (default 0). */
  linkId?: number;
  /** "required" (default): unsigned packets are dropped; "accept": unsigned ones are taken too. */
  mode?: "required" | "accept";
}

const EPOCH_2015_MS = Date.UTC(2015, 0, 1);
const MAX_STREAMS = 256;
/** A new stream more than this behind our clock is a replay (MAVLink's one-minute rule), in 10 µs units. */
const NEW_STREAM_SLACK = 60 * 100000;

export function signingKey(key: Uint8Array | string): Buffer {
  if (typeof key !== "string") {
    if (key.length !== 32) throw new Error(`mavlink: a signing key is 32 bytes, got ${key.length}`);
    return Buffer.from(key);
  }
  const text = key.trim();
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, "hex");
  return createHash("sha256").update(text).digest();
}

/** The key in the user's config: $CELL_CONFIG_DIR/mavlink.key, else $XDG_CONFIG_HOME/cell/mavlink.key, else ~/.config/cell/mavlink.key; null when there is none. */
export function configuredKey(env: NodeJS.ProcessEnv = process.env): Buffer | null {
  const dir = env.CELL_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "cell");
  let text: string;
  try {
    text = readFileSync(join(dir, "mavlink.key"), "utf8");
  } catch {
    return null;
  }
  return signingKey(text);
}

export class Signer {
  readonly key: Buffer;
  readonly linkId: number;
  readonly required: boolean;
  private lastOut = 0;
  /** Last timestamp taken per stream "sysid/compid/linkId", least recently used first. */
  private streams = new Map<string, number>();

  constructor(
    private readonly m: Mavlink,
    o: SigningOptions,
    private readonly now: () => number = Date.now
  ) {
    this.key = signingKey(o.key);
    this.linkId = (o.linkId || 0) & 255;
    this.required = o.mode !== "accept";
  }

  private clock(): number {
    return (this.now() - EPOCH_2015_MS) * 100;
  }

  /** Appends the signature to a packet serialized with the signed flag set. */
  sign(packet: Buffer, timestamp?: number): Buffer {
    const out = Buffer.concat([packet, Buffer.alloc(this.m.MavLinkPacketSignature.SIGNATURE_LENGTH)]);
    const s = new this.m.MavLinkPacketSignature(out);
    this.lastOut = timestamp ?? Math.max(this.lastOut + 1, Math.floor(this.clock()));
    s.linkId = this.linkId;
    s.timestamp = this.lastOut;
    s.signature = s.calculate(this.key);
    return out;
  }

  /** null when the packet may be taken, else the drop reason. */
  check(bytes: Buffer, signed: boolean, sysid: number, compid: number): string | null {
    if (!signed) return this.required ? MavlinkDrop.Unsigned : null;
    const s = new this.m.MavLinkPacketSignature(bytes);
    if (!s.matches(this.key)) return MavlinkDrop.BadSignature;
    const stream = sysid + "/" + compid + "/" + s.linkId;
    const t = s.timestamp;
    const last = this.streams.get(stream);
    if (last === undefined ? t < this.clock() - NEW_STREAM_SLACK : t <= last) return MavlinkDrop.Replayed;
    this.streams.delete(stream);
    this.streams.set(stream, t);
    if (this.streams.size > MAX_STREAMS) this.streams.delete(this.streams.keys().next().value!);
    return null;
  }
}
