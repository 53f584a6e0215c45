/**
 * Why a receiver dropped bytes or a frame. One flat set of names, used as keys of LinkStats.drops.
 * A drop is counted, never thrown.
 */
export var DropReason = {
  BadCobs: "BadCobs", // a stream chunk that is not valid COBS
  BadCrc: "BadCrc", // a stream frame whose CRC-32 does not match
  TooShort: "TooShort", // fewer bytes than a header
  TooLong: "TooLong", // longer than the link's maximum frame
  BadMagic: "BadMagic",
  BadVersion: "BadVersion",
  BadKind: "BadKind", // reserved kind 6..15
  BadLength: "BadLength", // the length field disagrees with what arrived
  UnknownRequest: "UnknownRequest", // a RESPONSE/ERROR/CANCEL for no request in flight
  BadAnnounce: "BadAnnounce", // an ANNOUNCE payload that does not parse
  BadEvent: "BadEvent" // an EVENT whose payload does not decode with the subscriber's schema
};

export interface LinkStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  drops: { [reason: string]: number };
}

export function newLinkStats(): LinkStats {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, drops: {} };
}

export function countDrop(stats: LinkStats, reason: string): void {
  stats.drops[reason] = (stats.drops[reason] || 0) + 1;
}
