// HAL adapter for our Duktape firmware under QEMU (sim/firmware): the native `sim` object works at
// frame level because the firmware frames in C, so the link is a Transport, not a byte port.
import type { HalBytePort, HalLink, HalStorage, HeapInfo, TimerId } from "../hal";
import { simFrameLink } from "../frame-link";

// The firmware installs these as globals (sim/firmware/timers.c); Node's types declare them too.
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: TimerId): void;
declare function setInterval(fn: () => void, ms: number): number;
declare function clearInterval(id: TimerId): void;

export var engine = "duktape";

export interface SimLinkConfig {
  /** Largest frame (header ‖ payload) this bundle handles; bigger incoming frames are dropped. */
  maxFrame: number;
}

export function openLink(c: SimLinkConfig): HalLink {
  return { frames: simFrameLink(c.maxFrame) };
}

export function now(): number {
  return sim.millis();
}

export function timeout(fn: () => void, ms: number): TimerId {
  return setTimeout(fn, ms);
}
export function cancelTimeout(id: TimerId): void {
  clearTimeout(id);
}
export function interval(fn: () => void, ms: number): TimerId {
  return setInterval(fn, ms);
}
export function cancelInterval(id: TimerId): void {
  clearInterval(id);
}

export function log(message: string): void {
  sim.log(message);
}

export var storage: HalStorage = {
  read: function (key: string): Uint8Array | null {
    var v = sim.storageRead(key);
    return v && v.length ? v : null;
  },
  write: function (key: string, bytes: Uint8Array): boolean {
    return sim.storageWrite(key, bytes);
  },
  remove: function (key: string): void {
    sim.storageWrite(key, new Uint8Array(0)); // the firmware removes a key written empty
  }
};

/** A simulated sensor driven by the firmware. */
export function temperature(): number {
  return sim.temperature();
}

export function analog(_pin: string | number): number {
  return NaN;
}

export function heap(): HeapInfo {
  var h = sim.heap();
  return { used: h.used, total: h.total };
}

export function openBle(): HalBytePort | null {
  return null;
}
