// MAVLink v2 packets through `node-mavlink` / `mavlink-mappings` (loaded when a MAVLink link opens):
// HEARTBEAT and TUNNEL out, any valid packet in. No MAVLink parsing of our own.
import type * as NodeMavlink from "node-mavlink";
import { loadOptional } from "../optional";
import { CELL_PAYLOAD_TYPE } from "./fragments";

export type Mavlink = typeof NodeMavlink;

let loaded: Promise<Mavlink> | null = null;

export function loadMavlink(): Promise<Mavlink> {
  if (!loaded) {
    loaded = loadOptional<Mavlink>("node-mavlink", "mavlink");
    loaded.catch(() => (loaded = null));
  }
  return loaded;
}

export const MSG_HEARTBEAT = 0;
export const MSG_TUNNEL = 385;
/** Most bytes of one MAVLink v2 packet: 10 header + 255 payload + 2 CRC + 13 signature. */
export const MAX_PACKET = 280;

/** A received packet: the exact bytes, and what the link needs of its header. */
export interface Packet {
  bytes: Buffer;
  msgid: number;
  sysid: number;
  compid: number;
  signed: boolean;
}

export interface Tunnel {
  payloadType: number;
  targetSystem: number;
  targetComponent: number;
  payload: Uint8Array;
}

/** Builds packets as (sysid, compid), with its own sequence counter. */
export class PacketWriter {
  private readonly protocol: NodeMavlink.MavLinkProtocolV2;
  constructor(
    private readonly m: Mavlink,
    sysid: number,
    compid: number,
    signed: boolean,
    private seq = 0
  ) {
    this.protocol = new m.MavLinkProtocolV2(sysid, compid, signed ? m.MavLinkProtocolV2.IFLAG_SIGNED : 0);
  }

  tunnel(targetSystem: number, targetComponent: number, payload: Uint8Array): Buffer {
    const t = new this.m.common.Tunnel();
    t.payloadType = CELL_PAYLOAD_TYPE as never;
    t.targetSystem = targetSystem;
    t.targetComponent = targetComponent;
    t.payloadLength = payload.length;
    t.payload = Array.from(payload);
    return this.serialize(t);
  }

  heartbeat(): Buffer {
    const h = new this.m.minimal.Heartbeat();
    h.type = this.m.minimal.MavType.ONBOARD_CONTROLLER;
    h.autopilot = this.m.minimal.MavAutopilot.INVALID;
    h.baseMode = 0 as never;
    h.customMode = 0;
    h.systemStatus = this.m.minimal.MavState.ACTIVE;
    h.mavlinkVersion = 3;
    return this.serialize(h);
  }

  private serialize(data: NodeMavlink.MavLinkData): Buffer {
    const out = this.protocol.serialize(data, this.seq);
    this.seq = (this.seq + 1) & 255;
    return out;
  }
}

/** Reads the TUNNEL fields of a checked packet. */
export function readTunnel(m: Mavlink, p: Packet): Tunnel {
  const protocol = new m.MavLinkProtocolV2();
  const t = protocol.data(protocol.payload(p.bytes), m.common.Tunnel);
  const n = Math.min(t.payloadLength, 255);
  return {
    payloadType: t.payloadType as number,
    targetSystem: t.targetSystem,
    targetComponent: t.targetComponent,
    payload: Uint8Array.from(t.payload.slice(0, n))
  };
}

/**
 * node-mavlink's splitter driven synchronously: packets come out of feed() at once (push is taken
 * over, so nothing waits in a stream buffer), and bytes with no start marker are discarded rather than
 * kept (the library keeps them until a start byte comes, which a stream of noise never sends).
 */
export function packetReader(m: Mavlink, onPacket: (p: Packet) => void, onBad: (reason: "BadCrc" | "UnknownMessage") => void) {
  class Reader extends m.MavLinkPacketSplitter {
    push(chunk: unknown): boolean {
      if (chunk === null) return false;
      const buffer = (chunk as { buffer: Buffer }).buffer;
      const flags = buffer[0] === 0xfd ? buffer[2] : 0;
      onPacket({
        bytes: buffer,
        msgid: buffer[0] === 0xfd ? buffer.readUIntLE(7, 3) : buffer[5],
        sysid: buffer[0] === 0xfd ? buffer[5] : buffer[3],
        compid: buffer[0] === 0xfd ? buffer[6] : buffer[4],
        signed: (flags & 1) !== 0
      });
      return true;
    }
    protected findStartOfPacket(buffer: Buffer, offset?: number): number | null {
      const at = super.findStartOfPacket(buffer, offset);
      if (at === null) (this as unknown as { buffer: Buffer }).buffer = Buffer.alloc(0);
      return at;
    }
  }
  const reader = new Reader({}, {});
  let invalid = 0;
  let unknown = 0;
  const noop = () => {};
  return {
    feed(bytes: Uint8Array): void {
      reader._transform(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), "buffer", noop);
      for (; invalid < reader.invalidPackages; invalid++) onBad("BadCrc");
      for (; unknown < reader.unknownPackagesCount; unknown++) onBad("UnknownMessage");
    },
    /** Bytes held waiting for the rest of a packet (at most one packet's worth beyond a chunk). */
    pending(): number {
      return (reader as unknown as { buffer: Buffer }).buffer.length;
    },
    /** Forgets a partial packet (a datagram ended inside one). */
    reset(): void {
      (reader as unknown as { buffer: Buffer }).buffer = Buffer.alloc(0);
    }
  };
}
