// A host-side board on a serial link, and the least a UDP-to-serial forwarder must do to reach it: the
// baseline of the issue-15 bridge figure. The board runs the device runtime behind stream framing
// (COBS + CRC-32) on an in-memory byte pipe delivering on the next turn of the event loop, as a UART's
// bytes would arrive; the bridge and the forwarder each get their own copy of the same board.
import { createSocket } from "node:dgram";
import type { Transport } from "../core/transport";
import { bytePipe, streamLink, DEVICE_MAX_FRAME } from "../core/stream-link";
import type { BytePort } from "../core/byte-port";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import type { LinkStats } from "../core/drops";

/** A board whose runtime `setup` serves cells on its serial link; returns the host's end of that link. */
export function boardOnSerial(setup: (board: Transport) => void): BytePort {
  const [host, board] = bytePipe({ schedule: (fn) => setImmediate(fn) });
  setup(streamLink(board));
  return host;
}

/**
 * A UDP socket forwarding each datagram to `serial` and each frame coming back to the last sender:
 * frame (COBS + CRC), write, split the stream at its delimiters, check the CRC, answer. No request
 * ids rewritten, no routing, no limits: one client, the minimum a forwarder does.
 */
export async function udpToSerialForwarder(serial: BytePort): Promise<{ port: number; stats: LinkStats; close: () => void }> {
  const sock = createSocket("udp4");
  const encoder = new StreamEncoder(64);
  const decoder = new StreamDecoder(DEVICE_MAX_FRAME);
  let client: { port: number; address: string } | null = null;
  sock.on("message", (msg, from) => {
    client = from;
    serial.write(encoder.encode(msg));
  });
  const answer = (frame: Uint8Array) => {
    // The frame is a view of the decoder's buffer; the datagram goes out later.
    if (client) sock.send(Buffer.from(frame), client.port, client.address);
  };
  serial.onData((bytes) => decoder.feed(bytes, answer));
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  return { port: sock.address().port, stats: decoder.stats, close: () => sock.close() };
}
