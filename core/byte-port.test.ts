import { describe, it, expect, vi } from "vitest";
import { bytePipe } from "./byte-port";

describe("bytePipe", () => {
  it("delivers copies, in order, asynchronously by default", async () => {
    const [a, b] = bytePipe();
    const got: number[][] = [];
    b.onData((bytes) => got.push(Array.from(bytes)));
    const buf = new Uint8Array([1, 2, 3]);
    a.write(buf);
    buf[0] = 9; // the writer reuses its buffer at once
    a.write(buf);
    expect(got).toEqual([]);
    await vi.waitFor(() => expect(got).toHaveLength(2));
    expect(got).toEqual([
      [1, 2, 3],
      [9, 2, 3]
    ]);
  });

  it("delivers during write with sync, and splits writes as asked", () => {
    const [a, b] = bytePipe({ sync: true, split: () => 2 });
    const got: number[][] = [];
    b.onData((bytes) => got.push(Array.from(bytes)));
    a.write(new Uint8Array([1, 2, 3, 4, 5]));
    expect(got).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("uses a given scheduler", () => {
    const tasks: (() => void)[] = [];
    const [a, b] = bytePipe({ schedule: (fn) => tasks.push(fn) });
    const got: number[] = [];
    b.onData((bytes) => got.push(...bytes));
    a.write(new Uint8Array([7]));
    a.inject(new Uint8Array([8, 0]));
    expect(tasks.length).toBe(1);
    tasks.shift()!();
    expect(got).toEqual([7, 8, 0]);
  });

  it("closes both ends, the far one after the bytes in flight", () => {
    const tasks: (() => void)[] = [];
    const [a, b] = bytePipe({ schedule: (fn) => tasks.push(fn) });
    const events: string[] = [];
    a.onClose!(() => events.push("a closed"));
    b.onClose!(() => events.push("b closed"));
    b.onData((bytes) => events.push("b got " + bytes.length));
    a.write(new Uint8Array(3));
    a.close();
    a.write(new Uint8Array(4)); // ignored: the pipe is closed
    expect(events).toEqual(["a closed"]);
    while (tasks.length) tasks.shift()!();
    expect(events).toEqual(["a closed", "b got 3", "b closed"]);
  });

  it("reports injected port errors", () => {
    const [a] = bytePipe({ sync: true });
    const errors: string[] = [];
    a.onError!((e) => errors.push(e.message));
    a.fail(new Error("unplugged"));
    expect(errors).toEqual(["unplugged"]);
  });
});
