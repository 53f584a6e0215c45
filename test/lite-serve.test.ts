// The lite server (core/lite/serve.ts) seen from a host: core's remote() over core's streamLink on one
// end of a bytePipe, the lite stream link and server on the other. Typed calls in each codec, describe,
// events with subscribe/unsubscribe, cancel, every ERROR code the spec gives a callee, and ANNOUNCE as
// core's instance table hears it. Hand-made frames check what remote() cannot send.
import { describe, it, expect, afterEach, vi } from "vitest";
import { cell, method, event, t } from "../core/schema";
import { CellError, ErrorCode } from "../core/errors";
import { CodecId, HEADER_SIZE, Kind, encodeHeader } from "../core/header";
import { streamLink as coreStreamLink, bytePipe } from "../core/stream-link";
import { loopbackPair } from "../core/loopback";
import { remote } from "../core/host/remote";
import { instanceTable } from "../core/rpc/instances";
import { readErrorPayload } from "../core/rpc/error-payload";
import { decodeAnnounce } from "../core/rpc/announce-payload";
import { jsonCodec, msgpackCodec, rawCodec } from "../core/codecs";
import type { CallContext, Done } from "../core/rpc/context";
import type { Handlers } from "../core/rpc/serve";
import type { Transport } from "../core/transport";
import { serve } from "../core/lite/serve";
import type { LiteServeOptions, DeviceServer } from "../core/lite/serve";
import { streamLink, serialOf } from "../core/lite/stream";
import { compactCodec } from "../core/lite/compact";
import { crc32 } from "../core/lite/crc";
import { liteCodec } from "../core/lite/writer-full";

const Level = t.enum(["info", "warn"]);
const Rich = cell("rich", {
  echo: method(t.string, t.string),
  add: method(t.struct({ a: t.i32, b: t.i32 }), t.i32),
  blob: method(t.u32, t.bytes),
  raw: method(t.bytes, t.bytes),
  wait: method(t.u32, t.u32),
  fail: method(t.string, t.u8),
  code: method(t.u8, t.u8),
  wrong: method(t.struct({}), t.u8),
  tick: event(t.u32),
  note: event(t.struct({ text: t.string, level: Level, at: t.optional(t.f64) }))
});
/** The same cell after an incompatible change: echo now answers bytes. */
const RichV2 = cell("rich", { echo: method(t.string, t.bytes) });
const Other = cell("other", { ping: method(t.u8, t.u8) });

const MAX_FRAME = 256;

/** What the handlers saw, for the tests to look at. */
interface Seen {
  cancelled: string[];
  late: Done<number>[];
  contexts: CallContext<any>[];
}

function handlers(seen: Seen): Handlers<typeof Rich.members> {
  return {
    echo: (s: string) => s,
    add: (r: { a: number; b: number }) => (r.a + r.b) | 0,
    blob: (n: number) => new Uint8Array(n).map((_, i) => i & 255),
    raw: (b: Uint8Array) => b.slice().reverse(),
    wait: (ms: number, ctx: CallContext<number>) => {
      const done = ctx.defer();
      seen.contexts.push(ctx);
      seen.late.push(done);
      ctx.onCancel(() => seen.cancelled.push("wait " + ctx.requestId + (ctx.cancelled ? " (cancelled)" : "")));
      if (ms > 0) setTimeout(() => done(null, ms), ms);
    },
    fail: (why: string) => {
      throw new Error(why);
    },
    code: (c: number) => {
      throw new CellError(c, "code " + c);
    },
    wrong: () => "not a u8" as unknown as number
  };
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
  vi.useRealTimers();
});

/** A lite device on one end of a byte pipe, a host streamLink on the other. */
function setup(opts?: Partial<LiteServeOptions>, maxFrame = MAX_FRAME) {
  const [hostEnd, deviceEnd] = bytePipe();
  const host = coreStreamLink(hostEnd, { maxFrame });
  const device = streamLink(serialOf(deviceEnd), maxFrame, crc32);
  const seen: Seen = { cancelled: [], late: [], contexts: [] };
  // The cell's server comes to its start hook, as on a device.
  let server: DeviceServer<typeof Rich.members> | undefined;
  serve([{ def: Rich, handlers: handlers(seen), start: (s) => void (server = s) }], device, {
    codecs: [compactCodec],
    announceTtlMs: -1,
    ...opts
  });
  cleanup.push(() => host.close());
  return { host, device, seen, server: server!, rich: remote(Rich, host, { timeoutMs: 2000 }) };
}

/** A peer that sends frames by hand and collects what comes back (no endpoint on its link). */
function rawPeer(link: Transport) {
  const got: Uint8Array[] = [];
  link.onFrame((f) => void got.push(new Uint8Array(f)));
  return {
    got,
    send(kind: number, codec: number, cellId: number, methodId: number, requestId: number, payload: Uint8Array = new Uint8Array(0)) {
      const f = new Uint8Array(HEADER_SIZE + payload.length);
      encodeHeader({ kind, flags: 0, codec, cellId, methodId, requestId, length: payload.length }, f, 0);
      f.set(payload, HEADER_SIZE);
      link.send(f);
    },
    async next(): Promise<Uint8Array> {
      for (let i = 0; i < 200 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      if (!got.length) throw new Error("no frame came back");
      return got.shift()!;
    }
  };
}

const errorOf = (f: Uint8Array) => ({ kind: f[2], ...readErrorPayload(f.subarray(HEADER_SIZE)) });
const u32le = (v: number) => Uint8Array.from([v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24]);
const settle = () => new Promise((r) => setTimeout(r, 30));

describe("lite server called by core's remote()", () => {
  it("answers typed calls in COMPACT", async () => {
    const { rich } = setup();
    expect(await rich.echo("hé 😀")).toBe("hé 😀");
    expect(await rich.add({ a: 2147483647, b: 1 })).toBe(-2147483648);
    expect(await rich.blob(5)).toEqual(Uint8Array.from([0, 1, 2, 3, 4]));
  });

  it("answers in each codec it was built with, in the request's codec", async () => {
    const { rich } = setup({ codecs: [compactCodec, liteCodec(jsonCodec), liteCodec(msgpackCodec), liteCodec(rawCodec)] });
    expect(await rich.echo("json", { codec: CodecId.Json })).toBe("json");
    expect(await rich.add({ a: -5, b: 3 }, { codec: CodecId.Msgpack })).toBe(-2);
    expect(await rich.blob(3, { codec: CodecId.Json })).toEqual(Uint8Array.from([0, 1, 2]));
    expect(await rich.raw(Uint8Array.from([1, 2, 3]), { codec: CodecId.Raw })).toEqual(Uint8Array.from([3, 2, 1]));
    await expect(rich.echo("x", { codec: CodecId.Raw })).rejects.toMatchObject({ code: ErrorCode.UnsupportedCodec });
  });

  it("describes the cell with its canonical schema text", async () => {
    const { rich } = setup();
    expect(await rich.describe()).toBe(Rich.schema);
  });

  it("sends events only while the peer is subscribed", async () => {
    const { rich, server } = setup();
    const ticks: number[] = [];
    const notes: unknown[] = [];
    expect(server.emit("tick", 1)).toBe(0); // nobody subscribed yet
    const onTick = (n: number) => ticks.push(n);
    await rich.on("tick", onTick);
    await rich.on("note", (n) => notes.push(n));
    expect(server.emit("tick", 2)).toBe(1);
    expect(server.emit("note", { text: "ß", level: "warn" })).toBe(1);
    await settle();
    expect(ticks).toEqual([2]);
    expect(notes).toEqual([{ text: "ß", level: "warn" }]);
    // off() unsubscribes that event alone; close() the rest.
    rich.off("tick", onTick);
    await settle();
    expect(server.emit("tick", 3)).toBe(0);
    expect(server.emit("note", { text: "y", level: "info" })).toBe(1);
    rich.close();
    await settle();
    expect(server.emit("tick", 4)).toBe(0);
    expect(server.emit("note", { text: "x", level: "info", at: 1.5 })).toBe(0);
  });

  it("drops the answer of a cancelled request and tells its handler", async () => {
    const { rich, seen, host } = setup();
    const abort = new AbortController();
    const call = rich.wait(0, { signal: abort.signal });
    await vi.waitFor(() => expect(seen.late.length).toBe(1));
    abort.abort();
    await expect(call).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    await vi.waitFor(() => expect(seen.cancelled).toEqual([`wait ${seen.contexts[0].requestId} (cancelled)`]));
    expect(seen.contexts[0].cancelled).toBe(true);
    seen.late[0](null, 5); // too late: nothing is sent
    await settle();
    expect(host.stats.drops.UnknownRequest || 0).toBe(0);
    expect(await rich.wait(1)).toBe(1); // and the server is still there
  });

  it("answers a deferred call when the handler calls done, once", async () => {
    const { rich, seen } = setup();
    const call = rich.wait(0);
    await vi.waitFor(() => expect(seen.late.length).toBe(1));
    seen.late[0](null, 42);
    seen.late[0](null, 43);
    expect(await call).toBe(42);
  });
});

describe("lite server errors (spec/rpc.md §2, §4, §7)", () => {
  it("UnknownCell, UnknownMethod for a changed signature, UnsupportedCodec", async () => {
    const { host } = setup();
    await expect(remote(Other, host, { timeoutMs: 2000 }).ping(1)).rejects.toMatchObject({ code: ErrorCode.UnknownCell });
    await expect(remote(RichV2, host, { timeoutMs: 2000 }).echo("x")).rejects.toMatchObject({ code: ErrorCode.UnknownMethod });
    await expect(remote(Rich, host, { timeoutMs: 2000 }).echo("x", { codec: CodecId.Msgpack })).rejects.toMatchObject({
      code: ErrorCode.UnsupportedCodec
    });
  });

  it("HandlerFailed with the thrown message (clipped), a CellError's own code, a wrong answer", async () => {
    const { rich } = setup({}, 1024);
    await expect(rich.fail("sensor unplugged")).rejects.toMatchObject({ code: ErrorCode.HandlerFailed, message: "sensor unplugged" });
    // Messages are clipped to 240 bytes, never inside a character: 1 + 119 × 2 bytes, as core clips.
    const err = await rich.fail("a" + "é".repeat(200)).catch((e: CellError) => e);
    expect(err).toMatchObject({ code: ErrorCode.HandlerFailed, message: "a" + "é".repeat(119) });
    await expect(rich.code(8)).rejects.toMatchObject({ code: 8, message: "code 8" });
    await expect(rich.wrong({})).rejects.toMatchObject({ code: ErrorCode.HandlerFailed });
  });

  it("clips a message to a small frame, at a character boundary", async () => {
    const Loud = cell("loud", { long: method(t.u8, t.u8) });
    const text = "aé😀".repeat(40); // characters of 1, 2 and 4 bytes
    for (let maxFrame = 28; maxFrame <= 36; maxFrame++) {
      const [hostEnd, deviceEnd] = bytePipe();
      const host = coreStreamLink(hostEnd, { maxFrame });
      cleanup.push(() => host.close());
      const long = () => {
        throw new Error(text);
      };
      serve([{ def: Loud, handlers: { long } }], streamLink(serialOf(deviceEnd), maxFrame, crc32), {
        codecs: [compactCodec],
        announceTtlMs: -1
      });
      const err = await remote(Loud, host, { timeoutMs: 2000 })
        .long(1)
        .catch((e: CellError) => e);
      // The longest run of whole characters that fits maxFrame - 22 bytes.
      let expected = "";
      for (const ch of text) {
        if (Buffer.byteLength(expected + ch) > maxFrame - 22) break;
        expected += ch;
      }
      expect(err, `maxFrame ${maxFrame}`).toMatchObject({ code: ErrorCode.HandlerFailed, message: expected });
    }
  });

  it("TooLarge for an answer that does not fit the link's frames", async () => {
    const { rich } = setup();
    await expect(rich.blob(MAX_FRAME)).rejects.toMatchObject({ code: ErrorCode.TooLarge });
    expect((await rich.blob(MAX_FRAME - HEADER_SIZE - 2)).length).toBe(MAX_FRAME - HEADER_SIZE - 2);
  });

  it("Overloaded past maxInFlight, and free again once answered", async () => {
    const { rich, seen } = setup({ maxInFlight: 1 });
    const first = rich.wait(0);
    await vi.waitFor(() => expect(seen.late.length).toBe(1));
    await expect(rich.echo("x")).rejects.toMatchObject({ code: ErrorCode.Overloaded });
    seen.late[0](null, 7);
    expect(await first).toBe(7);
    expect(await rich.echo("x")).toBe("x");
  });

  it("BadPayload for a request that does not decode, and for built-ins misused", async () => {
    const [a, b] = loopbackPair({ maxFrame: MAX_FRAME });
    serve([{ def: Rich, handlers: handlers({ cancelled: [], late: [], contexts: [] }) }], b, { codecs: [compactCodec], announceTtlMs: -1 });
    const peer = rawPeer(a);
    const echoId = Rich.info.echo.id;
    const tickId = Rich.info.tick.id;
    const cases: [string, number, number, Uint8Array, number][] = [
      ["a string longer than its payload", CodecId.Compact, echoId, Uint8Array.from([5, 65]), ErrorCode.BadPayload],
      ["trailing bytes", CodecId.Compact, echoId, Uint8Array.from([1, 65, 66]), ErrorCode.BadPayload],
      ["describe with a payload", CodecId.Raw, 0, Uint8Array.from([1]), ErrorCode.BadPayload],
      ["describe in COMPACT", CodecId.Compact, 0, new Uint8Array(0), ErrorCode.BadPayload],
      ["subscribe with 3 bytes", CodecId.Raw, 1, Uint8Array.from([1, 2, 3]), ErrorCode.BadPayload],
      ["subscribe to a method", CodecId.Raw, 1, u32le(echoId), ErrorCode.UnknownMethod],
      ["subscribe to no member", CodecId.Raw, 1, u32le(0x12345678), ErrorCode.UnknownMethod],
      ["reserved built-in 3", CodecId.Raw, 3, new Uint8Array(0), ErrorCode.UnknownMethod],
      ["an event id called as a method", CodecId.Compact, tickId, Uint8Array.from([1]), ErrorCode.UnknownMethod]
    ];
    let id = 100;
    for (const [what, codec, methodId, payload, code] of cases) {
      peer.send(Kind.Request, codec, Rich.id, methodId, ++id, payload);
      const f = await peer.next();
      expect({ what, ...errorOf(f) }).toMatchObject({ what, kind: Kind.Error, code });
      expect(f[3]).toBe(CodecId.Raw);
    }
    // unsubscribing without a subscription is not an error
    peer.send(Kind.Request, CodecId.Raw, Rich.id, 2, ++id, u32le(tickId));
    const ok = await peer.next();
    expect([ok[2], ok.length]).toEqual([Kind.Response, HEADER_SIZE]);
  });

  it("TooLarge for a request above the payload it accepts", async () => {
    // A link that hands over frames larger than its maxFrame (a misconfigured peer on a datagram link).
    let deliver: (f: Uint8Array) => void = () => {};
    const sent: Uint8Array[] = [];
    const link = {
      maxFrame: 64,
      send: (f: Uint8Array) => void sent.push(new Uint8Array(f)),
      onFrame: (cb: (f: Uint8Array) => void) => void (deliver = cb)
    };
    serve([{ def: Rich, handlers: handlers({ cancelled: [], late: [], contexts: [] }) }], link, {
      codecs: [compactCodec],
      announceTtlMs: -1
    });
    const f = new Uint8Array(HEADER_SIZE + 50);
    encodeHeader({ kind: 0, flags: 0, codec: 2, cellId: Rich.id, methodId: Rich.info.echo.id, requestId: 1, length: 50 }, f, 0);
    f[HEADER_SIZE] = 49;
    deliver(f);
    expect(errorOf(sent[0])).toMatchObject({ kind: Kind.Error, code: ErrorCode.TooLarge });
  });

  it("BadPayload for a string that is not UTF-8; HandlerFailed for an answer or message with a lone surrogate (spec/codecs.md)", async () => {
    const Odd = cell("odd", { half: method(t.u8, t.string), oops: method(t.u8, t.u8) });
    const [a, b] = loopbackPair({ maxFrame: MAX_FRAME });
    serve(
      [
        { def: Rich, handlers: handlers({ cancelled: [], late: [], contexts: [] }) },
        {
          def: Odd,
          handlers: {
            half: () => "a\ud800",
            oops: () => {
              throw new Error("x\udc00");
            }
          } as Handlers<typeof Odd.members>
        }
      ],
      b,
      { codecs: [compactCodec], announceTtlMs: -1 }
    );
    const peer = rawPeer(a);
    for (const bad of [
      [2, 0xc3, 0x28],
      [2, 0xc0, 0xaf],
      [3, 0xed, 0xa0, 0x80],
      [1, 0xff]
    ]) {
      peer.send(Kind.Request, CodecId.Compact, Rich.id, Rich.info.echo.id, 1, Uint8Array.from(bad));
      expect(errorOf(await peer.next())).toMatchObject({ kind: Kind.Error, code: ErrorCode.BadPayload });
    }
    peer.send(Kind.Request, CodecId.Compact, Odd.id, Odd.info.half.id, 2, Uint8Array.from([0]));
    expect(errorOf(await peer.next())).toMatchObject({ kind: Kind.Error, code: ErrorCode.HandlerFailed });
    peer.send(Kind.Request, CodecId.Compact, Odd.id, Odd.info.oops.id, 3, Uint8Array.from([0]));
    expect(errorOf(await peer.next())).toMatchObject({ kind: Kind.Error, code: ErrorCode.HandlerFailed, message: "" });
    peer.send(Kind.Request, CodecId.Compact, Rich.id, Rich.info.echo.id, 4, Uint8Array.from([4, 0xf0, 0x9f, 0x98, 0x80]));
    const ok = await peer.next();
    expect([ok[2], [...ok.subarray(HEADER_SIZE)]]).toEqual([Kind.Response, [4, 0xf0, 0x9f, 0x98, 0x80]]);
  });

  it("treats a reused request id as giving up the first; ignores CANCELs and answers for nothing", async () => {
    const [a, b] = loopbackPair({ maxFrame: MAX_FRAME });
    const seen: Seen = { cancelled: [], late: [], contexts: [] };
    serve([{ def: Rich, handlers: handlers(seen) }], b, { codecs: [compactCodec], announceTtlMs: -1 });
    const peer = rawPeer(a);
    const waitId = Rich.info.wait.id;
    peer.send(Kind.Request, CodecId.Compact, Rich.id, waitId, 7, Uint8Array.from([0]));
    await vi.waitFor(() => expect(seen.late.length).toBe(1));
    peer.send(Kind.Request, CodecId.Compact, Rich.id, waitId, 7, Uint8Array.from([0]));
    await vi.waitFor(() => expect(seen.late.length).toBe(2));
    expect(seen.cancelled).toEqual(["wait 7 (cancelled)"]);
    seen.late[0](null, 1); // the first one's answer is dropped
    seen.late[1](null, 2);
    const f = await peer.next();
    expect([f[2], f[HEADER_SIZE]]).toEqual([Kind.Response, 2]);
    peer.send(Kind.Cancel, CodecId.Raw, Rich.id, waitId, 99);
    peer.send(Kind.Response, CodecId.Compact, Rich.id, waitId, 98, Uint8Array.from([1]));
    peer.send(Kind.Event, CodecId.Compact, Rich.id, Rich.info.tick.id, 0, Uint8Array.from([1]));
    await settle();
    expect(peer.got).toEqual([]);
  });
});

describe("lite ANNOUNCE", () => {
  it("is heard by core's instance table at once and every ttl/3", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const [hostEnd, deviceEnd] = bytePipe();
    const host = coreStreamLink(hostEnd, { maxFrame: MAX_FRAME });
    cleanup.push(() => host.close());
    let heard = 0;
    const table = instanceTable();
    cleanup.push(() => table.close());
    table.attach(host);
    table.onChange(() => heard++);
    const device = streamLink(serialOf(deviceEnd), MAX_FRAME, crc32);
    const count = () => host.stats.framesIn;
    serve(
      [
        { def: Rich, handlers: handlers({ cancelled: [], late: [], contexts: [] }) },
        { def: Other, handlers: { ping: (n: number) => n } as Handlers<typeof Other.members> }
      ],
      device,
      { codecs: [compactCodec], instanceId: 0xc0ffee, announceTtlMs: 3000 }
    );
    await vi.waitFor(() => expect(table.list().length).toBe(2));
    expect(table.list().map((i) => [i.name, i.cellId, i.schemaHash, i.instanceId, i.ttlMs])).toEqual([
      ["rich", Rich.id, Rich.hash, 0xc0ffee, 3000],
      ["other", Other.id, Other.hash, 0xc0ffee, 3000]
    ]);
    const before = count();
    vi.advanceTimersByTime(1000);
    await vi.waitFor(() => expect(count()).toBe(before + 1));
    vi.advanceTimersByTime(2000);
    await vi.waitFor(() => expect(count()).toBe(before + 3));
    expect(heard).toBe(2); // refreshes, not new entries
    vi.clearAllTimers();
  });
});

describe("lite ANNOUNCE query", () => {
  it("answers an empty ANNOUNCE at once with its ANNOUNCE, flagged and followed by its maxFrame", async () => {
    const [a, b] = loopbackPair({ maxFrame: MAX_FRAME });
    const heard: Uint8Array[] = [];
    a.onFrame((f) => heard.push(f.slice()));
    serve([{ def: Other, handlers: { ping: (n: number) => n } as Handlers<typeof Other.members> }], b, {
      codecs: [compactCodec],
      instanceId: 0xc0ffee,
      announceTtlMs: 3000
    });
    await vi.waitFor(() => expect(heard.length).toBe(1)); // the ANNOUNCE at start
    const query = new Uint8Array(HEADER_SIZE);
    encodeHeader({ kind: Kind.Announce, flags: 0, codec: CodecId.Raw, cellId: 0, methodId: 0, requestId: 0, length: 0 }, query, 0);
    a.send(query);
    await vi.waitFor(() => expect(heard.length).toBe(2));
    const answer = heard[1];
    expect(answer[2]).toBe(0x15);
    expect(answer.length).toBe(heard[0].length + 4);
    expect(Array.from(answer.subarray(HEADER_SIZE, heard[0].length))).toEqual(Array.from(heard[0].subarray(HEADER_SIZE)));
    expect(new DataView(answer.buffer).getUint32(answer.length - 4, true)).toBe(MAX_FRAME);
    const table = instanceTable();
    table.heard(decodeAnnounce(answer.subarray(HEADER_SIZE), true)!, undefined, a);
    expect(table.list().map((i) => [i.name, i.instanceId])).toEqual([["other", 0xc0ffee]]);
    table.close();
  });
});

describe("lite server on other links", () => {
  it("serves over core's loopback Transport (frames, no COBS), as over the sim firmware's frame link", async () => {
    const [a, b] = loopbackPair({ maxFrame: MAX_FRAME });
    serve([{ def: Rich, handlers: handlers({ cancelled: [], late: [], contexts: [] }) }], b, { codecs: [compactCodec], announceTtlMs: -1 });
    const rich = remote(Rich, a, { timeoutMs: 2000 });
    expect(await rich.echo("frames")).toBe("frames");
    expect(await rich.describe()).toBe(Rich.schema);
  });
});
