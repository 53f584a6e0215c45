// Endpoint options, and the clock and timers the RPC engine uses. Device runtimes inject their own
// (an engine without setTimeout, a board with a tick counter); tests inject fake ones.
import type { Codec } from "../codec";

// Not in the ES5 library; every target engine has them, looked up at call time so fake timers work.
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

export interface Clock {
  /** Milliseconds, monotonic enough for timeouts and TTLs. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface EndpointOptions {
  /** The codecs this end understands. A device passes only those it uses, so the rest are not bundled. */
  codecs?: Codec[];
  /** Largest payload sent or accepted (also bounded by the link's maxFrame). Default 64 KiB. */
  maxPayload?: number;
  /** Requests being handled at once on this link, and calls in flight from it; excess ones fail Overloaded. Default 64. */
  maxInFlight?: number;
  /** Peers that may subscribe to one event (bounded memory on links with many peers). Default 64. */
  maxSubscribers?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export var DEFAULT_MAX_PAYLOAD = 65536;
export var DEFAULT_MAX_IN_FLIGHT = 64;
export var DEFAULT_MAX_SUBSCRIBERS = 64;
export var DEFAULT_TIMEOUT_MS = 5000;

export function clockFrom(opts?: {
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}): Clock {
  var o = opts || {};
  return {
    now:
      o.now ||
      function () {
        return Date.now();
      },
    setTimer:
      o.setTimer ||
      function (fn: () => void, ms: number) {
        return setTimeout(fn, ms);
      },
    clearTimer:
      o.clearTimer ||
      function (h: unknown) {
        clearTimeout(h);
      }
  };
}
