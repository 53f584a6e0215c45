// An in-process Transport between the bridge and core's endpoint that serves the `bridge` cell on one
// link: the bridge owns the real link's frame listener and hands this tap the frames addressed to its
// own cell; what the endpoint sends goes straight out on the real link, to the peer it names.
import type { Transport, Peer } from "../core/transport";

export interface Tap extends Transport {
  /** Gives the endpoint one frame that arrived on the real link. */
  deliver(frame: Uint8Array, from: Peer | undefined): void;
}

export function tap(real: Transport): Tap {
  let listener: ((frame: Uint8Array, from?: Peer) => void) | null = null;
  let closeListeners: (() => void)[] = [];
  let closed = false;
  return {
    maxFrame: real.maxFrame,
    // The real link's counters: drops the endpoint counts (UnknownRequest, ...) show where they happened.
    stats: real.stats,
    send(frame, to) {
      real.send(frame, to);
    },
    onFrame(l) {
      listener = l;
    },
    onError() {
      // Link errors are the real link's; the bridge reports them.
    },
    onClose(l) {
      if (closed) l();
      else closeListeners.push(l);
    },
    close() {
      if (closed) return;
      closed = true;
      const list = closeListeners;
      closeListeners = [];
      for (const l of list) l();
    },
    deliver(frame, from) {
      if (!closed && listener) listener(frame, from);
    }
  };
}
