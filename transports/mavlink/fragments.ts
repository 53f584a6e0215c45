// Cell frames cut into TUNNEL payloads and put back together (spec/mavlink.md §2). A fragment pattern
// that is not exactly what a sender sends (lost, duplicated, reordered) costs its frame and a counted
// drop, never a wrong frame. Buffers are sized from maxFrame, never from a header's `total`.
import { DropReason, LinkStats, countDrop } from "../../core/drops";
import { HEADER_SIZE, decodeHeader, newHeader } from "../../core/header";

const scratch = newHeader();

/** TUNNEL payload_type of Cell frames, from MAVLink's private range 32768–65535. */
export const CELL_PAYLOAD_TYPE = 0xce11;
/** Bytes of a TUNNEL payload (#385). */
export const TUNNEL_PAYLOAD = 128;
export const FRAGMENT_HEADER = 4;
/** Frame bytes per fragment. */
export const CHUNK = TUNNEL_PAYLOAD - FRAGMENT_HEADER;
/** The largest frame a u16 `total` can describe. */
export const MAVLINK_MAX_FRAME = 0xffff;

export const MavlinkDrop = {
  BadCrc: DropReason.BadCrc,
  UnknownMessage: "UnknownMessage",
  BadPayloadType: "BadPayloadType",
  BadFragment: "BadFragment",
  DuplicateFragment: "DuplicateFragment",
  FragmentLost: "FragmentLost",
  FragmentTimeout: "FragmentTimeout",
  Unsigned: "Unsigned",
  BadSignature: "BadSignature",
  Replayed: "Replayed"
};

/** The TUNNEL payloads (payload_length bytes each) that carry `frame`, sent as frame number `seq`. */
export function fragmentFrame(frame: Uint8Array, seq: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const total = frame.length;
  for (let i = 0, at = 0; at < total; i++, at += CHUNK) {
    const chunk = frame.subarray(at, Math.min(total, at + CHUNK));
    const p = new Uint8Array(FRAGMENT_HEADER + chunk.length);
    p[0] = seq & 255;
    p[1] = i;
    p[2] = total & 255;
    p[3] = total >>> 8;
    p.set(chunk, FRAGMENT_HEADER);
    out.push(p);
  }
  return out;
}

interface Slot {
  key: string;
  buffer: Uint8Array;
  /** frameSeq of the frame in progress, or -1. */
  seq: number;
  total: number;
  next: number;
  startedAt: number;
  /** frameSeq of the last frame completed from this source, or -1. */
  lastDone: number;
  heardAt: number;
}

export interface ReassemblerOptions {
  maxFrame: number;
  /** Sources with state at once (default 16); a new one evicts the one heard from longest ago. */
  maxSources?: number;
  /** A frame in progress longer than this is dropped as FragmentTimeout (default 2000 ms). */
  timeoutMs?: number;
  now?: () => number;
}

export class Reassembler {
  private slots: Slot[] = [];
  private readonly maxSources: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly o: ReassemblerOptions,
    private readonly stats: LinkStats
  ) {
    this.maxSources = o.maxSources || 16;
    this.timeoutMs = o.timeoutMs || 2000;
    this.now = o.now || Date.now;
  }

  /** Sources holding state (bounded by maxSources). */
  get sources(): number {
    return this.slots.length;
  }

  /**
   * Takes one TUNNEL payload (payload_length bytes) from `source`; returns the completed, checked frame
   * (a view valid until the next call) or null. Every refusal is a counted drop.
   */
  feed(source: string, payload: Uint8Array): Uint8Array | null {
    const stats = this.stats;
    if (payload.length < FRAGMENT_HEADER || payload.length > TUNNEL_PAYLOAD) return this.drop(MavlinkDrop.BadFragment);
    const seq = payload[0];
    const index = payload[1];
    const total = payload[2] | (payload[3] << 8);
    if (total < HEADER_SIZE) return this.drop(DropReason.TooShort);
    if (total > this.o.maxFrame) return this.drop(DropReason.TooLong);
    const at = index * CHUNK;
    if (at >= total || payload.length - FRAGMENT_HEADER !== Math.min(CHUNK, total - at)) return this.drop(MavlinkDrop.BadFragment);
    const now = this.now();
    const slot = this.slotFor(source, now);
    if (slot.seq >= 0 && now - slot.startedAt > this.timeoutMs) {
      countDrop(stats, MavlinkDrop.FragmentTimeout);
      slot.seq = -1;
    }
    if (seq === slot.lastDone) return this.drop(MavlinkDrop.DuplicateFragment);
    if (slot.seq >= 0) {
      if (seq === slot.seq && total === slot.total && index < slot.next) return this.drop(MavlinkDrop.DuplicateFragment);
      if (seq !== slot.seq || total !== slot.total || index !== slot.next) {
        countDrop(stats, MavlinkDrop.FragmentLost);
        slot.seq = -1;
      }
    }
    if (slot.seq < 0) {
      if (index !== 0) return this.drop(MavlinkDrop.FragmentLost);
      slot.seq = seq;
      slot.total = total;
      slot.next = 0;
      slot.startedAt = now;
    }
    slot.buffer.set(payload.subarray(FRAGMENT_HEADER), at);
    slot.next = index + 1;
    if (at + CHUNK < total) return null;
    slot.seq = -1;
    slot.lastDone = seq;
    const frame = slot.buffer.subarray(0, total);
    // As a datagram (wire-format.md §3.2); bytesIn is counted by the link as bytes on the medium.
    const why = decodeHeader(frame, 0, total, scratch);
    if (why !== null) return this.drop(why);
    stats.framesIn++;
    return frame;
  }

  /** Drops frames in progress that timed out (called now and then, so a lone partial frame does not sit forever). */
  expire(): void {
    const now = this.now();
    for (const s of this.slots) {
      if (s.seq >= 0 && now - s.startedAt > this.timeoutMs) {
        countDrop(this.stats, MavlinkDrop.FragmentTimeout);
        s.seq = -1;
      }
    }
  }

  /** Forgets a source (its peer went away). */
  forget(source: string): void {
    this.slots = this.slots.filter((s) => s.key !== source);
  }

  private drop(reason: string): null {
    countDrop(this.stats, reason);
    return null;
  }

  private slotFor(key: string, now: number): Slot {
    let oldest = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s.key === key) {
        s.heardAt = now;
        return s;
      }
      if (s.heardAt < this.slots[oldest].heardAt) oldest = i;
    }
    let slot: Slot;
    if (this.slots.length >= this.maxSources) {
      slot = this.slots[oldest]; // reuse the buffer of the source heard from longest ago
      if (slot.seq >= 0) countDrop(this.stats, MavlinkDrop.FragmentLost);
      slot.key = key;
    } else {
      slot = { key, buffer: new Uint8Array(this.o.maxFrame), seq: -1, total: 0, next: 0, startedAt: 0, lastDone: -1, heardAt: now };
      this.slots.push(slot);
    }
    slot.seq = -1;
    slot.lastDone = -1;
    slot.heardAt = now;
    return slot;
  }
}
