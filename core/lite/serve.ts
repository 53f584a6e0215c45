// The device server: the cells of a bundle on one link, with the same user-facing shape as
// core/rpc/serve.ts (Handlers<M>: return the answer, or ctx.defer() then done(err, res); a server whose
// emit(event, value) sends an event) and the same wire behaviour (spec/rpc.md §2-8), written for size
// (a small engine pays for every byte of source, and a few hundred bytes of heap for every function):
//   - ERROR messages are short: the code says what failed; a handler's own failure carries its
//     message, clipped to 240 bytes at a character boundary.
//   - Links are point to point (UART, BLE UART, the sim's frame link): answers go back to the peer a
//     request came from, events to the link's peer once it subscribed; requests are keyed by id alone.
//   - Handlers answer with a value or through ctx.defer(); a device has no Promise.
//   - It announces the cells (ANNOUNCE at once and every ttl/3) so a host bridge finds the device.
import type { Type } from "../schema";
import type { CallContext } from "../rpc/context";
import type { Peer } from "../transport";
import { LiteLink, at, seek, put, r32 } from "./bytes";
import { writeText } from "./utf8";
import { At, Codec, Header, Kind } from "./wire";
import { decodeWith } from "./compact-fns";
import { compiled, type CompiledCell, type DeviceServer, type LiteService } from "./cells";
import { DEFER, CONTEXT, OPTIONS, INSTANCE_ID, MAX_FRAME, FNS, ANNOUNCE, CELL_ERRORS, EVENT_IDS_UNIQUE } from "./features";

declare function setInterval(fn: () => void, ms: number): unknown;

export type { CompiledCell, LiteCell, LiteService, DeviceServer } from "./cells";

/** A codec that appends to the frame being built (bytes.ts `frame`): lite COMPACT, or core's through writer-full.ts. */
export interface LiteCodec {
  readonly id: number;
  encode(type: Type, value: unknown): void;
  decode(type: Type, bytes: Uint8Array): unknown;
}

export interface LiteServeOptions {
  /** The codecs this device was built with; events go out in COMPACT, or the first when it has none. */
  codecs: LiteCodec[];
  /** Requests handled at once (default 4); more are answered Overloaded (only deferred answers can pile up). */
  maxInFlight?: number;
  /** Names this instance in ANNOUNCE frames (default, or 0: random). */
  instanceId?: number;
  /** ANNOUNCE's ttl (default 30 s; repeated every ttl/3); negative: do not announce. */
  announceTtlMs?: number;
}

/** Serves `cells` on `link`. Each cell's server (for its events) reaches it through its start hook. */
export function serve(cells: LiteService[], link: LiteLink, o: LiteServeOptions): void {
  var buf = new Uint8Array(MAX_FRAME || link.maxFrame),
    busy = 0;
  var ttl = (OPTIONS && o.announceTtlMs) || 30000,
    id = INSTANCE_ID ? (o.instanceId as number) : (OPTIONS && o.instanceId) || (Math.random() * 1e10) >>> 0; // mod 2^32: shorter than 4294967296
  /** By cell id: [member table, handlers]. */
  var known: { [cellId: string]: [CompiledCell, any] } = {},
    codecs: { [id: string]: LiteCodec } = {};
  /** The deferred request being handled with each id: calling it with (0, 0, 1) cancels it. */
  var calls: { [requestId: string]: (e: any, res?: unknown, cancelled?: number) => void } = {};
  /** Events the peer subscribed to, by cell id "/" event id (by event id where those are unique: features.ts). */
  var subs: { [cellAndEvent: string]: boolean } = {},
    subscribed = 0; // set by the first subscribe: until then emit() builds no "cell/event" key (a new string costs a small engine dearly)

  /** Starts a frame's payload in this link's buffer. */
  function begin(): void {
    seek(At.Payload, buf);
  }

  /** Sends the frame whose payload was just built; a link that refuses it loses it, as a wire would. */
  /** Fields left out are 0 (put() writes `undefined` as 0 bytes: shorter calls, for ANNOUNCE). */
  function send(kind: number, codec?: any, cellId?: any, memberId?: any, requestId?: any, to?: Peer): void {
    var end = at,
      h = Header.MagicVersion | (kind << 16) | (codec << 24); // magic, version, kind, codec
    if (FNS) {
      // COMPACT-only builds are the smallest boards' (a 3 KB echo budget): the shortest code.
      seek(0);
      put(h, 4);
      put(cellId, 4);
      put(memberId, 4);
      put(requestId, 4);
      put(end - At.Payload, 4);
    } else {
      // Straight into the buffer, which always holds a header: five calls instead of twenty put()s,
      // ~10% of a small call's instructions on Duktape and JerryScript (bench/sim.ts).
      w32(h, 0);
      w32(cellId, 4);
      w32(memberId, 8);
      w32(requestId, 12);
      w32(end - At.Payload, 16);
    }
    // A board's link carries every frame of its size, which is all this buffer holds.
    if (MAX_FRAME) link.send(buf.subarray(0, end));
    else
      try {
        link.send(buf.subarray(0, end), to);
      } catch (e) {}
  }

  function w32(v: number, i: number): void {
    buf[i++] = v;
    buf[i++] = v >> 8;
    buf[i++] = v >> 16;
    buf[i] = v >> 24;
  }

  /**
   * ANNOUNCE: u32 instanceId, u32 ttlMs, u8 count, then per cell u32 id, u32 schema hash, u8 name length,
   * name; in answer to a query (`asked` = 16), flagged AnnounceMaxFrame and followed by u32 maxFrame (rpc.md §8.1).
   */
  function announce(asked?: number): void {
    begin();
    put(id, 4);
    put(ttl, 4);
    if (ANNOUNCE) for (var i = 0; i < ANNOUNCE.length; i++) put(ANNOUNCE.charCodeAt(i));
    else {
      put(cells.length);
      cells.forEach(function (s) {
        var c = s.def;
        put(c.id, 4);
        put(c.hash, 4);
        put(0);
        buf[at - 1] = writeText(c.name);
      });
    }
    if (asked) put(MAX_FRAME || buf.length, 4);
    send(Kind.Announce | (asked as number)); // `asked` is 16: the flag AnnounceMaxFrame
  }

  // A COMPACT-only board build (FNS) has one codec, whose member tables hold its functions.
  if (!FNS)
    o.codecs.forEach(function (k) {
      codecs[k.id] = k;
    });
  // No subscription can exist before the link delivers a frame, so a start hook may emit at once.
  cells.forEach(function (s) {
    var c = compiled(s.def);
    known[c.id] = [c, s.handlers];
    var server = {
      /** Sends the event (in COMPACT, or the first codec) if the peer subscribed to it; returns how many it went to (0 or 1). */
      emit: function (event: string, value: unknown): number {
        var e = c.e[event],
          k: any = FNS ? 0 : codecs[2] || o.codecs[0];
        if (!(EVENT_IDS_UNIQUE || subscribed) || !subs[EVENT_IDS_UNIQUE ? e : c.id + "/" + e]) return 0;
        begin();
        if (FNS)
          c.m[e](value); // an event's entry is its encoder there
        else k.encode(c.m[e][1], value);
        send(Kind.Event, FNS ? Codec.Compact : k.id, c.id, e); // requestId 0
        return 1;
      }
    } as DeviceServer<any>;
    if (s.start) s.start(server);
  });

  // The request being answered, in server-level variables rather than per-request closures (less code,
  // less garbage per request): set by each request, and set again by a deferred answer before it sends.
  var cellId: number, memberId: number, requestId: number, from: Peer | undefined, codec: number, k: any, d: any;

  /**
   * ERROR: u8 code, then the message, clipped at a character boundary to 240 bytes and to the frame
   * (one byte less: the byte after the cut decides where it falls); none if it cannot be written.
   */
  function fail(code: number, text?: string): void {
    var end = 21 + Math.min(240, (MAX_FRAME || buf.length) - 22);
    begin();
    put(code);
    try {
      writeText(text || ""); // URIError (a lone surrogate) before a byte is written; TooLarge (7): cut below
    } catch (e) {}
    // Cut before the character that the byte at `end` belongs to (UTF-8 continuation bytes are 10xxxxxx).
    if (at > end) {
      while ((buf[end] & 192) == 128) end--;
      seek(end);
    }
    reply(Kind.Error); // codec RAW (0)
  }

  /** Sends the frame just built as the answer to the request being answered. */
  function reply(kind: number, codecId?: number): void {
    send(kind, codecId, cellId, memberId, requestId, from);
  }

  /** Answers the request being answered: an ERROR for `e`, else the response `res`. */
  function answer(e: any, res?: unknown): void {
    // A CellError says its own code; only code that mentions CellError can throw one (features.ts).
    if (e) fail(CELL_ERRORS && e.name == "CellError" ? e.code : 4, "" + (e.message || e));
    else {
      begin();
      try {
        if (FNS) d[2](res);
        else k.encode(d[2], res);
      } catch (y) {
        return fail(y === 7 ? 7 : 4);
      }
      reply(Kind.Response, codec);
    }
  }

  link.onFrame(function (f, peer) {
    var kind = f[At.Kind] & 15,
      p = f.subarray(At.Payload),
      x: any,
      ctx: any,
      ev: any;
    var s = known[(cellId = r32(f, At.CellId))],
      cell = s && s[0];
    codec = f[At.Codec];
    memberId = r32(f, At.MemberId);
    requestId = r32(f, At.RequestId);
    from = MAX_FRAME ? undefined : peer; // a board's link is point to point: there is only one peer
    d = s && cell.m[memberId];
    if (!FNS) k = codecs[codec];

    // RESPONSE/ERROR: a device makes no calls; EVENT, ANNOUNCE: it listens to neither. A CANCEL for a
    // request that already has its answer (every one, without deferred answers) is ignored, as for an unknown id.
    // An empty ANNOUNCE is a query (a bridge that just opened the link): answered at once.
    if (kind == 5 && !p.length && (!OPTIONS || ttl > 0)) announce(16);
    if (kind) {
      if (DEFER && kind == Kind.Cancel && calls[requestId]) calls[requestId](0, 0, 1);
      return;
    }
    // The request's checks in the spec's order (rpc.md §2, §7): the first that fails names the ERROR.
    // Built-ins: describe (0) takes an empty payload; subscribe (1) / unsubscribe (2) an event's u32 id. All RAW.
    // Only deferred answers can leave requests in flight, so only then can there be too many (Overloaded).
    // A board's link delivers no frame longer than this buffer (TooLarge is for links that might).
    x = !s
      ? 1
      : !MAX_FRAME && p.length > buf.length - At.Payload
        ? 7
        : memberId < 16
          ? memberId > 2
            ? 2
            : codec
              ? 3
              : !memberId
                ? p.length
                  ? 3
                  : 0
                : p.length != 4
                  ? 3
                  : (ev = cell.m[r32(p, 0)]) && !ev[2]
                    ? 0
                    : 2
          : !d || !d[2]
            ? 2
            : (FNS ? codec != Codec.Compact : !k)
              ? 9
              : DEFER && busy >= (o.maxInFlight || 4)
                ? 8
                : 0;
    if (x) return fail(x);
    try {
      if (memberId < 16) {
        begin();
        if (memberId)
          if (EVENT_IDS_UNIQUE) subs[r32(p, 0)] = memberId < 2;
          else subscribed |= +(subs[cellId + "/" + r32(p, 0)] = memberId < 2);
        else writeText(cell.schema);
        return reply(Kind.Response); // codec RAW (0)
      }
      x = FNS ? decodeWith(d[1], p) : k.decode(d[1], p);
    } catch (e) {
      // The schema text past the frame (7), a codec that cannot carry the type (RAW: 9), else a bad payload.
      // COMPACT's functions throw 3 or URIError (malformed UTF-8), never a CellError.
      x = FNS ? e : (e && (e as any).code) || e;
      return fail(x === 7 || (!FNS && x == 9) ? x : 3);
    }
    if (DEFER) {
      // A caller reuses an id only for a request it gave up on. Only deferred requests are in `calls`.
      if (busy && calls[requestId]) calls[requestId](0, 0, 1);
      // The context carries the request (c, i, o, k, d), so a deferred answer can be sent as its own;
      // its methods are shared, so a request answered at once allocates this one object and nothing else.
      ctx = {
        peer: from,
        requestId: requestId,
        method: d[0],
        cancelled: false,
        defer: defer,
        onCancel: onCancel,
        c: cellId,
        i: memberId,
        o: codec,
        k: k,
        d: d
      };
    } else if (CONTEXT) ctx = { peer: from, requestId: requestId, method: d[0], cancelled: false, onCancel: noop };
    try {
      x = DEFER || CONTEXT ? s[1][d[0]](x, ctx as CallContext<any>) : s[1][d[0]](x);
    } catch (e) {
      return DEFER ? finish(ctx, e || Error()) : answer(e || Error());
    }
    if (!DEFER) answer(0, x);
    else if (!ctx.f) finish(ctx, 0, x);
  });

  function noop(): void {}

  /**
   * Ends request `c` once: answers it (as the request being answered again: other requests may have
   * come since), or, when `cancelled` (a CANCEL, or a request reusing its id), drops the answer and runs
   * the cancel listeners.
   */
  function finish(c: any, e: any, res?: unknown, cancelled?: number): void {
    if (c.z) return;
    c.z = 1;
    if (c.f && calls[c.requestId] == c.f) {
      delete calls[c.requestId];
      busy--;
    }
    if (cancelled) {
      c.cancelled = true;
      if (c.l)
        c.l.forEach(function (cb: () => void) {
          cb();
        });
      return;
    }
    cellId = c.c;
    memberId = c.i;
    requestId = c.requestId;
    from = c.peer;
    codec = c.o;
    k = c.k;
    d = c.d;
    answer(e, res);
  }

  /** ctx.defer(): the request goes into the in-flight table and is answered by the function returned. */
  function defer(this: any): (e: any, res?: unknown, cancelled?: number) => void {
    var c = this;
    if (!c.f) {
      c.f = function (e: any, res?: unknown, cancelled?: number) {
        finish(c, e, res, cancelled);
      };
      if (!c.z) {
        calls[c.requestId] = c.f;
        busy++;
      }
    }
    return c.f;
  }

  /** ctx.onCancel(cb): runs cb if the request is cancelled (only a deferred one can be). */
  function onCancel(this: any, cb: () => void): void {
    if (this.cancelled) cb();
    else if (!this.z) (this.l || (this.l = [])).push(cb);
  }

  if (ttl > 0) {
    announce();
    setInterval(announce, (ttl / 3) | 0 || 1);
  }
}
