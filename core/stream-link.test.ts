import { describe, it, expect, vi } from "vitest";
import fc from "fast-check";
import { streamLink, bytePipe, DEVICE_MAX_FRAME } from "./stream-link";
import { HEADER_SIZE, encodeHeader } from "./header";
import { CellError, ErrorCode } from "./errors";
import { StreamEncoder } from "./stream";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** The CellError code `fn` throws (fails the test if it throws anything else or nothing). */
function errorCode(fn: () => void): number {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CellError);
    return (e as CellError).code;
  }
  throw new Error("expected a CellError");
}

function frame(payload: Uint8Array, requestId = 1): Uint8Array {
  const f = new Uint8Array(HEADER_SIZE + payload.length);
  encodeHeader({ kind: 0, flags: 0, codec: 1, cellId: 0x2d2ce39e, methodId: 0x85b7894d, requestId, length: payload.length }, f, 0);
  f.set(payload, HEADER_SIZE);
  return f;
}

describe("streamLink", () => {
  it("carries frames both ways over a byte pipe and counts them", async () => {
    const [pa, pb] = bytePipe();
    const a = streamLink(pa);
    const b = streamLink(pb);
    const atB: string[] = [];
    const atA: string[] = [];
    b.onFrame((f) => {
      atB.push(hex(f));
      b.send(frame(new Uint8Array([9]), 2)); // answer from inside the listener
    });
    a.onFrame((f) => atA.push(hex(f)));
    const f1 = frame(new Uint8Array([1, 0, 2, 0, 0]));
    a.send(f1);
    await vi.waitFor(() => expect(atA).toHaveLength(1));
    expect(atB).toEqual([hex(f1)]);
    expect(atA).toEqual([hex(frame(new Uint8Array([9]), 2))]);
    expect(a.maxFrame).toBe(DEVICE_MAX_FRAME);
    expect(a.stats.framesOut).toBe(1);
    expect(a.stats.bytesOut).toBe(b.stats.bytesIn);
    expect(b.stats.framesIn).toBe(1);
    expect(a.stats.framesIn).toBe(1);
  });

  it("survives a synchronous ping-pong (re-entrant delivery)", () => {
    const [pa, pb] = bytePipe({ sync: true, split: () => 3 });
    const a = streamLink(pa);
    const b = streamLink(pb);
    const log: string[] = [];
    a.onFrame((f) => {
      const n = f[HEADER_SIZE];
      log.push("a" + n);
      if (n < 6) a.send(frame(new Uint8Array([n + 1])));
    });
    b.onFrame((f) => {
      const n = f[HEADER_SIZE];
      log.push("b" + n);
      b.send(frame(new Uint8Array([n + 1])));
      log.push("b" + n + " still " + f[HEADER_SIZE]); // the frame is intact after the nested traffic
    });
    a.send(frame(new Uint8Array([0])));
    // a's decoder is idle, so a answers at once; b's reply to that is queued until b's listener returns.
    expect(log).toEqual(["b0", "a1", "b0 still 0", "b2", "a3", "b2 still 2", "b4", "a5", "b4 still 4", "b6", "a7", "b6 still 6"]);
  });

  it("delivers every frame through noise and random chunking, counting the noise", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        async (payloads, sizes) => {
          let k = 0;
          const [pa, pb] = bytePipe({ split: () => sizes[k++ % sizes.length] });
          const a = streamLink(pa);
          const b = streamLink(pb);
          const got: string[] = [];
          b.onFrame((f) => got.push(hex(f)));
          for (const p of payloads) {
            pa.inject(new Uint8Array([0x41, 0x54, 0x0d, 0x0a, 0x00])); // a modem's "AT\r\n", then a delimiter
            a.send(frame(p));
          }
          await vi.waitFor(() => expect(got).toHaveLength(payloads.length));
          expect(got).toEqual(payloads.map((p) => hex(frame(p))));
          expect(b.stats.drops).toEqual({ BadCobs: payloads.length });
        }
      ),
      { numRuns: 40 }
    );
  });

  it("refuses frames over maxFrame with TooLarge, and drops them on receipt", async () => {
    const [pa, pb] = bytePipe();
    const a = streamLink(pa, { maxFrame: 64 });
    const b = streamLink(pb, { maxFrame: 40 });
    const got: string[] = [];
    b.onFrame((f) => got.push(hex(f)));
    expect(errorCode(() => a.send(frame(new Uint8Array(45))))).toBe(ErrorCode.TooLarge);
    a.send(frame(new Uint8Array(30))); // fits a's limit, not b's
    a.send(frame(new Uint8Array(20)));
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(got).toEqual([hex(frame(new Uint8Array(20)))]);
    expect(b.stats.drops).toEqual({ TooLong: 1 });
    expect(a.stats.framesOut).toBe(2);
  });

  it("refuses a frame shorter than a header", () => {
    const [pa] = bytePipe();
    expect(() => streamLink(pa).send(new Uint8Array(5))).toThrow(RangeError);
  });

  it("writes exactly the stream encoding", () => {
    const written: string[] = [];
    const link = streamLink({ write: (b) => written.push(hex(b)), onData: () => {} });
    const f = frame(new Uint8Array([0, 1, 2]));
    link.send(f);
    expect(written).toEqual([hex(new StreamEncoder().encode(f))]);
  });

  it("closes once, from either side, and then refuses to send", async () => {
    const [pa, pb] = bytePipe();
    const a = streamLink(pa);
    const b = streamLink(pb);
    let aClosed = 0;
    let bClosed = 0;
    a.onClose(() => aClosed++);
    b.onClose(() => bClosed++);
    a.close();
    a.close();
    await vi.waitFor(() => expect([aClosed, bClosed]).toEqual([1, 1]));
    expect([aClosed, bClosed]).toEqual([1, 1]);
    expect(errorCode(() => a.send(frame(new Uint8Array(0))))).toBe(ErrorCode.LinkClosed);
    expect(errorCode(() => b.send(frame(new Uint8Array(0))))).toBe(ErrorCode.LinkClosed);
  });

  it("passes port errors and listener exceptions to onError", () => {
    const [pa, pb] = bytePipe({ sync: true });
    const a = streamLink(pa);
    const b = streamLink(pb);
    const errors: string[] = [];
    b.onError((e) => errors.push(e.message));
    let n = 0;
    b.onFrame(() => {
      if (n++ === 0) throw new Error("listener bug");
    });
    a.send(frame(new Uint8Array([1])));
    a.send(frame(new Uint8Array([2])));
    pb.fail(new Error("port unplugged"));
    expect(errors).toEqual(["listener bug", "port unplugged"]);
    expect(b.stats.framesIn).toBe(2);
  });
});
