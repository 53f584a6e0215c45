import { describe, it, expect } from "vitest";
import { cell, method, event, t } from "../core/schema";
import { serve } from "../core/host/serve";
import { remote } from "../core/host/remote";
import { ErrorCode } from "../core/errors";
import { Kind, MethodId, readU32 } from "../core/header";
import { rebootGuard } from "./reboot-guard";
import { loaderClient } from "./loader-client";
import { loaderCell } from "./loader-schema";
import { fakeBoard } from "./fake-loader";

/** `hang` never answers (as a request the old heap held when it was reset); `tick` is an event. */
var Busy = cell("busy", { hang: method(t.u32, t.u32), quick: method(t.u32, t.u32), tick: event(t.u32) });

function setup() {
  var board = fakeBoard();
  var seen = board.received;
  var server = serve(Busy, { hang: () => new Promise<number>(() => {}), quick: (n) => n + 1 }, board.device);
  var link = rebootGuard(board.host, [loaderCell.id]);
  return { board, seen, server, link, loader: loaderClient(link), busy: remote(Busy, link, { timeoutMs: 5000 }) };
}

describe("reboot guard", () => {
  it("fails a call in flight at a loader reset with Unreachable at once; later calls are untouched", async () => {
    var { link, loader, busy } = setup();
    var lost = busy.hang(1).catch((e) => e);
    expect(await busy.quick(1)).toBe(2); // so `hang` has reached the board
    expect(link.pending).toBe(1);
    var started = Date.now();
    await loader.reset();
    var e = await lost;
    expect(e.code).toBe(ErrorCode.Unreachable);
    expect(e.message).toMatch(/^the board was reset \(cell\.loader reset\); this request was lost/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await busy.quick(5)).toBe(6);
    expect(link.pending).toBe(0);
    expect(link.stats.drops).toEqual({});
  });

  it("does not track loader calls, answered calls or calls the host gave up on", async () => {
    var { link, loader, busy } = setup();
    await loader.status();
    await busy.quick(1);
    expect(link.pending).toBe(0);
    var timedOut = await busy.hang(1, { timeoutMs: 30 }).catch((e) => e);
    expect(timedOut.code).toBe(ErrorCode.TimedOut);
    expect(link.pending).toBe(0); // the CANCEL the host sent ended it
  });

  it("fails only requests sent before the mark", async () => {
    var { link, busy } = setup();
    var before = busy.hang(1).catch((e) => e);
    await busy.quick(0);
    var mark = link.mark();
    var after = busy.hang(2, { timeoutMs: 200 }).catch((e) => e);
    await busy.quick(0);
    expect(link.failBefore(mark, "test reboot")).toBe(1);
    expect((await before).code).toBe(ErrorCode.Unreachable);
    expect((await after).code).toBe(ErrorCode.TimedOut);
  });

  it("subscribes again to accepted events after a reboot, keeping the answers to itself", async () => {
    var { link, loader, busy, seen, server } = setup();
    var ticks: number[] = [];
    await busy.on("tick", (n) => ticks.push(n));
    expect(link.subscriptions).toBe(1);
    seen.length = 0;
    await loader.reset();
    await busy.quick(0); // the renewal was sent before this request, so it has been answered too
    var renewals = seen.filter((f) => f[2] === Kind.Request && readU32(f, 8) === MethodId.Subscribe);
    expect(renewals.length).toBe(1);
    expect(readU32(renewals[0], 12)).toBeGreaterThan(0x80000000);
    expect(readU32(renewals[0], 4)).toBe(Busy.id);
    expect(readU32(renewals[0], 20)).toBe(Busy.info.tick.id);
    expect(link.stats.drops).toEqual({}); // the renewal's answer was not handed on as a stray response
    server.emit("tick", 7);
    await new Promise((r) => setTimeout(r, 20));
    expect(ticks).toEqual([7]);
  });

  it("forgets a subscription once the host unsubscribes", async () => {
    var { link, busy } = setup();
    var listener = () => {};
    await busy.on("tick", listener);
    busy.off("tick", listener);
    await busy.quick(0);
    expect(link.subscriptions).toBe(0);
  });
});
