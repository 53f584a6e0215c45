// Datagram links (UDP, NATS, reassembled MAVLink/CAN): exactly one frame per datagram, no COBS, no CRC
// (the medium has its own). See spec/wire-format.md, "Datagram links".
import { Header, newHeader, decodeHeader } from "./header";
import { DropReason, LinkStats, countDrop } from "./drops";

var scratch = newHeader();

/**
 * Checks that `bytes` is one well-formed frame of at most `maxFrame` bytes whose length field matches
 * the datagram's size. Counts bytesIn, and framesIn or the drop reason, in `stats`.
 * The header is read into `into` when given. Never throws on any bytes.
 */
export function checkDatagram(bytes: Uint8Array, maxFrame: number, stats: LinkStats, into?: Header): boolean {
  stats.bytesIn += bytes.length;
  var why = bytes.length > maxFrame ? DropReason.TooLong : decodeHeader(bytes, 0, bytes.length, into || scratch);
  if (why !== null) {
    countDrop(stats, why);
    return false;
  }
  stats.framesIn++;
  return true;
}
