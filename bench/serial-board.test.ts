// The bench's UDP-to-serial forwarder is a baseline only if it does its whole job: answers reach the
// caller, and bytes the CRC refuses are dropped and counted, not forwarded.
import { describe, it, expect, afterEach } from "vitest";
import { createSocket } from "node:dgram";
import { cell, method, t } from "../core/schema";
import { serve } from "../core/host/serve";
import { remote } from "../core/host/remote";
import { bytePipe } from "../core/stream-link";
import { StreamEncoder } from "../core/stream";
import { openUdp } from "../transports/udp";
import { boardOnSerial, udpToSerialForwarder } from "./serial-board";
import { benchFrame } from "./bridge";

const Ping = cell("bench", { ping: method(t.u32, t.u32) });
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe("bench/serial-board: the UDP-to-serial forwarder", () => {
  it("carries calls over UDP to a board on a serial link and its answers back, 32 in flight", async () => {
    const fwd = await udpToSerialForwarder(boardOnSerial((board) => serve(Ping, { ping: (n) => n + 1 }, board)));
    closers.push(fwd.close);
    const link = await openUdp(`127.0.0.1:${fwd.port}`);
    closers.push(() => link.close());
    const r = remote(Ping, link, { timeoutMs: 5000 });
    const answers = await Promise.all(Array.from({ length: 32 }, (_, i) => r.ping(i)));
    expect(answers).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(fwd.stats.drops).toEqual({});
  });

  it("drops and counts a frame whose CRC fails instead of sending it on", async () => {
    const [host, board] = bytePipe({ schedule: (fn) => setImmediate(fn) });
    const fwd = await udpToSerialForwarder(host);
    closers.push(fwd.close);
    // The board answers a request with a frame with one byte changed on the wire, then a good one.
    const encoder = new StreamEncoder(64);
    board.onData(() => {
      const good = encoder.encode(benchFrame(2)).slice();
      const bad = encoder.encode(benchFrame(1)).slice();
      // bad[0] is COBS's first code byte: the bytes after it up to its count are frame data, none 0x00.
      expect(bad[0]).toBeGreaterThan(2);
      bad[1] ^= bad[1] === 1 ? 0x02 : 0x01;
      board.write(bad);
      board.write(good);
    });
    const sock = createSocket("udp4");
    closers.push(() => sock.close());
    await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
    const got = new Promise<Buffer>((resolve) => sock.once("message", resolve));
    sock.send(benchFrame(9), fwd.port, "127.0.0.1");
    const first = await got;
    expect(Buffer.compare(first, Buffer.from(benchFrame(2)))).toBe(0); // the bad one never came
    expect(fwd.stats.drops).toEqual({ BadCrc: 1 });
  });
});
