// announce(): tells a link which cells this instance serves, repeated every ttl/3 so that a listener
// keeps the listing while at most two announcements are lost, and at once to a peer that asks (a query).
import type { Transport, Peer } from "../transport";
import type { CellDef } from "../schema";
import { Writer } from "../codec";
import { HEADER_SIZE, Kind, CodecId, Flag, newHeader, encodeHeader } from "../header";
import { endpoint } from "./endpoint";
import { EndpointOptions } from "./options";
import { Announcement, writeAnnounce } from "./announce-payload";

export interface AnnounceOptions {
  /** Names this running instance (a board, a process); keep it stable across restarts if you can. */
  instanceId: number;
  /** How long listeners keep the listing without hearing it again (> 0). */
  ttlMs: number;
  cells: CellDef<any>[];
  /** On a link with many peers: whom to tell (absent: the link's default, usually everyone). */
  to?: Peer;
}

export interface Announcer {
  /** Stops repeating and sends a last ANNOUNCE with ttl 0, so listeners drop this instance at once. */
  stop(): void;
}

/** A whole ANNOUNCE frame (header ‖ payload) for `a`, in a buffer of its own; with `a.maxFrame`, flagged so. */
export function announceFrame(a: Announcement): Uint8Array {
  var w = new Writer(64);
  w.reset(HEADER_SIZE);
  writeAnnounce(w, a);
  var h = newHeader();
  h.kind = Kind.Announce;
  h.flags = a.maxFrame !== undefined ? Flag.AnnounceMaxFrame : 0;
  h.codec = CodecId.Raw;
  h.length = w.pos - HEADER_SIZE;
  encodeHeader(h, w.buf, 0);
  return new Uint8Array(w.view(0));
}

export function announce(link: Transport, opts: AnnounceOptions, epOpts?: EndpointOptions): Announcer {
  if (!(opts.ttlMs > 0)) throw new RangeError("announce: ttlMs must be above 0");
  var cells = [];
  for (var i = 0; i < opts.cells.length; i++)
    cells.push({ name: opts.cells[i].name, cellId: opts.cells[i].id, schemaHash: opts.cells[i].hash });
  var frame = announceFrame({ instanceId: opts.instanceId, ttlMs: opts.ttlMs, cells: cells });
  var goodbye = announceFrame({ instanceId: opts.instanceId, ttlMs: 0, cells: cells });
  // The answer to a query (rpc.md §8.1) also says how large a frame this instance takes on the link.
  var answer = announceFrame({ instanceId: opts.instanceId, ttlMs: opts.ttlMs, cells: cells, maxFrame: link.maxFrame });
  if (answer.length > link.maxFrame) answer = frame;
  if (frame.length > link.maxFrame)
    throw new RangeError("announce: " + frame.length + " bytes do not fit the link's " + link.maxFrame + "-byte frames");
  var ep = endpoint(link, epOpts);
  var every = Math.max(1, Math.floor(opts.ttlMs / 3));
  var timer: unknown = null;
  var stopped = false;

  function tick(): void {
    timer = null;
    if (stopped || ep.closed) return;
    ep.trySend(frame, opts.to);
    timer = ep.clock.setTimer(tick, every);
  }

  var unasked = ep.onAnnounceQuery(function (from) {
    if (!stopped) ep.trySend(answer, from);
  });
  ep.onClose(function () {
    stopped = true;
    if (timer !== null) ep.clock.clearTimer(timer);
  });
  tick();

  return {
    stop: function () {
      if (stopped) return;
      stopped = true;
      unasked();
      if (timer !== null) ep.clock.clearTimer(timer);
      ep.trySend(goodbye, opts.to);
    }
  };
}
