// The echo example (with a slow cell next to it) on a simulated board, through the real UART: typed
// calls in every codec, events, a garbage burst, and resets with a request in flight.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomBytes } from "node:crypto";
import { remote } from "../../core/host/remote";
import { CodecId } from "../../core/header";
import type { Codec } from "../../core/codec";
import { compactCodec } from "../../core/codecs";
import { ErrorCode } from "../../core/errors";
import { Echo } from "../../examples/echo/schema";
import { Slow } from "./fixtures/slow-schema";
import type { SimSession } from "../../sim/session";
import type { SimBundle } from "../../sim/bundle";
import { describeCells } from "../../sim/bundle";
import { buildBundles, Boards, BOARDS, waitFor, rejectionOf } from "./harness";

describe.each(BOARDS)("echo example on %s", (board) => {
  var boards = new Boards(board);
  var built: { bundles: { slow: SimBundle }; dispose(): void };
  var sim: SimSession;
  var echo: ReturnType<typeof remote<typeof Echo.members>>;
  var slow: ReturnType<typeof remote<typeof Slow.members>>;
  var counts: number[] = [];

  beforeAll(async () => {
    built = await buildBundles({ slow: "test/hardware/fixtures/slow.ts" }, board);
    sim = await boards.start();
    await sim.loader.flash(built.bundles.slow.bytes);
    echo = remote(Echo, sim.link, { timeoutMs: 10000 });
    slow = remote(Slow, sim.link, { timeoutMs: 20000 });
    await echo.on("count", (n) => counts.push(n));
  }, 120000);

  afterAll(async () => {
    await boards.closeAll();
    if (built) built.dispose();
  });

  it("serves the cells the build recorded", async () => {
    var described = await describeCells(sim.link, built.bundles.slow.cells!);
    expect(described.map((c) => c.name).sort()).toEqual(["echo", "slow"]);
    expect(described.every((c) => c.matches)).toBe(true);
  });

  it("answers typed calls in COMPACT, JSON and MSGPACK", async () => {
    expect(await echo.echo("hello, board")).toBe("hello, board");
    expect(await echo.echo("JSON: ünïcödé ✓", { codec: CodecId.Json })).toBe("JSON: ünïcödé ✓");
    // Non-ASCII and non-BMP text in every codec (JerryScript keeps strings as CESU-8 inside; UTF-8 on the wire).
    var text = "héllo ✓ 日本 😀🎉 \u0000 end";
    for (var codec of [CodecId.Compact, CodecId.Json, CodecId.Msgpack]) expect(await echo.echo(text, { codec })).toBe(text);
    expect(await echo.echo("", { codec: CodecId.Msgpack })).toBe("");
    var big = "x".repeat(900); // near the board's 1024-byte frame
    expect(await echo.echo(big)).toBe(big);
  });

  it("refuses malformed UTF-8 in a COMPACT string with BadPayload (the firmware's text natives), then answers", async () => {
    // COMPACT's own bytes (length, then the text), but not well-formed UTF-8: an overlong NUL, a
    // surrogate, a truncated sequence, a lone continuation byte, a length past the payload.
    for (var bad of ["02c080", "03eda080", "02e282", "0180", "0541"]) {
      var payload = Buffer.from(bad, "hex");
      var broken: Codec = {
        ...compactCodec,
        encode: (_type, _value, w) => w.bytes(payload)
      };
      var e = await rejectionOf(echo.echo("unused", { codec: broken }));
      expect([bad, e.codeName]).toEqual([bad, "BadPayload"]);
    }
    expect(await echo.echo("héllo 😀 after")).toBe("héllo 😀 after");
    var status = await sim.loader.status();
    expect(status.running).toBe(true);
    expect(status.lastError).toBe("");
  });

  it("refuses a request larger than the board's frames on the host side", async () => {
    var e = await rejectionOf(echo.echo("y".repeat(2000)));
    expect(e.codeName).toBe("TooLarge");
  });

  it("sends count events to the subscriber, one per answered echo", async () => {
    var before = counts.length;
    var results = await Promise.all(["a", "b", "c"].map((s) => echo.echo(s)));
    expect(results).toEqual(["a", "b", "c"]);
    await waitFor("3 count events", () => counts.length >= before + 3);
    var last = counts.slice(before);
    expect(last[1] - last[0]).toBe(1);
    expect(last[2] - last[1]).toBe(1);
  });

  it("survives a garbage burst on the UART and keeps answering", async () => {
    var noise = new Uint8Array(randomBytes(20000));
    for (var i = 0; i < noise.length; i += 89) noise[i] = 0; // frame delimiters inside the noise
    sim.writeRaw(noise);
    sim.writeRaw(new Uint8Array(3000).fill(0x41)); // longer than any frame, then a delimiter
    sim.writeRaw(new Uint8Array([0]));
    expect(await echo.echo("still here")).toBe("still here");
    var status = await sim.loader.status();
    expect(status.running).toBe(true);
    expect(status.lastError).toBe("");
    expect(sim.link.stats.drops).toEqual({}); // nothing the board sent back was damaged
  }, 30000);

  it("fails a request in flight with Unreachable when the loader resets the board; the next works", async () => {
    var started = Date.now();
    var lost = rejectionOf(slow.wait(8000));
    expect(await echo.echo("after wait")).toBe("after wait"); // answered in order: the board holds `wait`
    await sim.loader.reset();
    var e = await lost;
    expect(e.code).toBe(ErrorCode.Unreachable);
    expect(e.message).toMatch(/slow\.wait|reset/);
    expect(e.message).toMatch(/cell\.loader reset/);
    expect(Date.now() - started).toBeLessThan(8000); // long before the board would have answered
    var mark = counts.length;
    expect(await echo.echo("next")).toBe("next");
    expect(await slow.wait(10)).toBe(10);
    // The fresh heap forgot the subscription; the host renewed it, and the count starts again at 1.
    await waitFor("a count event after the reset", () => counts.length > mark);
    expect(counts[mark]).toBe(1);
  }, 30000);

  it("fails a request in flight with Unreachable on a QEMU system_reset; the next works", async () => {
    var lost = rejectionOf(slow.wait(8000));
    expect(await echo.echo("before reset")).toBe("before reset");
    var started = Date.now();
    await sim.systemReset();
    var e = await lost;
    expect(e.code).toBe(ErrorCode.Unreachable);
    expect(e.message).toMatch(/system_reset|rebooted/);
    expect(Date.now() - started).toBeLessThan(8000);
    var mark = counts.length;
    expect(await echo.echo("after reset")).toBe("after reset");
    await waitFor("a count event after the machine reset", () => counts.length > mark);
    expect(counts[mark]).toBe(1);
    var status = await sim.loader.status();
    expect(status.running).toBe(true);
    expect(status.bundleSize).toBe(built.bundles.slow.bytes.length); // the store survives a machine reset
  }, 30000);
});
