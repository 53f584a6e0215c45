// Two Transports connected in memory: for tests, examples, and a cell talking to itself.
import type { Transport, Peer } from "./transport";
import { HEADER_SIZE } from "./header";
import { LinkStats, newLinkStats } from "./drops";
import { CellError, ErrorCode } from "./errors";

declare function setTimeout(fn: () => void, ms: number): unknown;

export interface LoopbackOptions {
  /** Largest frame either end sends (default 64 KiB plus the header). */
  maxFrame?: number;
  /** Runs deliveries later (default setTimeout(fn, 0)), so that call stacks never nest across the link. */
  schedule?: (fn: () => void) => void;
}

interface End {
  stats: LinkStats;
  frameListener: ((frame: Uint8Array, from?: Peer) => void) | null;
  closeListeners: (() => void)[];
  errorListener: ((err: Error) => void) | null;
  queue: Uint8Array[];
  scheduled: boolean;
}

/** A pair of connected links: a frame sent on one arrives, copied, at the other on a later turn. */
export function loopbackPair(opts?: LoopbackOptions): [Transport, Transport] {
  var o = opts || {};
  var maxFrame = o.maxFrame || 65536 + HEADER_SIZE;
  var schedule =
    o.schedule ||
    function (fn: () => void) {
      setTimeout(fn, 0);
    };
  var closed = false;
  var ends: End[] = [newEnd(), newEnd()];

  function newEnd(): End {
    return { stats: newLinkStats(), frameListener: null, closeListeners: [], errorListener: null, queue: [], scheduled: false };
  }

  function flush(to: End): void {
    to.scheduled = false;
    // Frames sent while this batch is delivered go to a later turn: nothing nests.
    var batch = to.queue;
    to.queue = [];
    for (var i = 0; i < batch.length && !closed; i++) {
      to.stats.framesIn++;
      to.stats.bytesIn += batch[i].length;
      if (to.frameListener) to.frameListener(batch[i]);
    }
  }

  function fireClose(end: End): void {
    var list = end.closeListeners;
    end.closeListeners = [];
    for (var i = 0; i < list.length; i++) list[i]();
  }

  function makeEnd(me: End, peer: End): Transport {
    return {
      maxFrame: maxFrame,
      stats: me.stats,
      send: function (frame: Uint8Array) {
        if (closed) throw new CellError(ErrorCode.LinkClosed, "loopback link is closed");
        if (frame.length > maxFrame)
          throw new CellError(ErrorCode.TooLarge, "frame of " + frame.length + " bytes exceeds the link's " + maxFrame);
        peer.queue.push(new Uint8Array(frame)); // the sender reuses its buffer
        me.stats.framesOut++;
        me.stats.bytesOut += frame.length;
        if (!peer.scheduled) {
          peer.scheduled = true;
          schedule(function () {
            flush(peer);
          });
        }
      },
      onFrame: function (listener) {
        me.frameListener = listener;
      },
      onError: function (listener) {
        me.errorListener = listener; // an in-memory link has no medium to fail
      },
      onClose: function (listener) {
        if (closed) schedule(listener);
        else me.closeListeners.push(listener);
      },
      close: function () {
        if (closed) return;
        closed = true;
        ends[0].queue = [];
        ends[1].queue = [];
        fireClose(me);
        fireClose(peer);
      }
    };
  }

  return [makeEnd(ends[0], ends[1]), makeEnd(ends[1], ends[0])];
}
