import { describe, it, expect } from "vitest";
import { loopbackPair } from "./loopback";
import { CellError, ErrorCode } from "./errors";

function frameOf(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

describe("loopbackPair", () => {
  it("delivers copies, in order, on a later turn", async () => {
    const [a, b] = loopbackPair();
    const got: number[][] = [];
    b.onFrame((f) => got.push([...f]));
    const buf = frameOf(20, 1);
    a.send(buf);
    buf.fill(2); // the sender reuses its buffer at once
    a.send(buf);
    expect(got).toEqual([]);
    await new Promise((r) => setTimeout(r, 1));
    expect(got).toEqual([Array(20).fill(1), Array(20).fill(2)]);
    expect(a.stats).toMatchObject({ framesOut: 2, bytesOut: 40 });
    expect(b.stats).toMatchObject({ framesIn: 2, bytesIn: 40 });
  });

  it("sends from inside a delivery go to a later turn: stacks never nest", () => {
    const queue: (() => void)[] = [];
    const [a, b] = loopbackPair({ schedule: (fn) => queue.push(fn) });
    let depth = 0;
    let maxDepth = 0;
    let hops = 0;
    const bounce = (self: typeof a) => () => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      if (++hops < 10) self.send(frameOf(20, hops));
      depth--;
    };
    a.onFrame(bounce(a));
    b.onFrame(bounce(b));
    a.send(frameOf(20, 0));
    while (queue.length) queue.shift()!();
    expect(hops).toBe(10);
    expect(maxDepth).toBe(1);
  });

  it("refuses frames above maxFrame with TooLarge", () => {
    const [a] = loopbackPair({ maxFrame: 30 });
    expect(a.maxFrame).toBe(30);
    expect(() => a.send(frameOf(31, 0))).toThrow(expect.objectContaining({ code: ErrorCode.TooLarge }));
    expect(() => a.send(frameOf(30, 0))).not.toThrow();
  });

  it("close() closes both ends once, drops frames in flight, and later sends throw LinkClosed", () => {
    const queue: (() => void)[] = [];
    const [a, b] = loopbackPair({ schedule: (fn) => queue.push(fn) });
    const closes: string[] = [];
    a.onClose(() => closes.push("a"));
    b.onClose(() => closes.push("b"));
    let delivered = 0;
    b.onFrame(() => delivered++);
    a.send(frameOf(20, 0));
    b.close();
    a.close();
    while (queue.length) queue.shift()!();
    expect(closes).toEqual(["b", "a"]);
    expect(delivered).toBe(0);
    let err: unknown;
    try {
      a.send(frameOf(20, 0));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CellError);
    expect((err as CellError).code).toBe(ErrorCode.LinkClosed);
    a.onClose(() => closes.push("late"));
    while (queue.length) queue.shift()!();
    expect(closes).toEqual(["b", "a", "late"]);
  });
});
