// HAL adapter for our Duktape firmware under QEMU (sim/firmware): the native `sim` object works at
// frame level because the firmware frames in C, so the link is a Transport, not a byte port.
import type { HalBytePort, HalLink, HalStorage, HeapInfo } from "../hal";
import { simFrameLink } from "../frame-link";
import { useTextNatives, type TextNatives } from "../../core/lite/utf8";

export var engine = "duktape";

export interface SimLinkConfig {
  /** Largest frame (header ‖ payload) this bundle handles; bigger incoming frames are dropped. */
  maxFrame: number;
}

export function openLink(c: SimLinkConfig): HalLink {
  // The firmware's text natives, where it has them (sim/firmware/text.c; the host runner has none).
  useTextNatives(sim.textIn ? (sim as TextNatives) : undefined);
  return { frames: simFrameLink(c.maxFrame) };
}

export function now(): number {
  return sim.millis();
}

export { timeout, cancelTimeout, interval, cancelInterval } from "./timers";

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
