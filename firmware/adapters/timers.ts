// Every engine we target has the standard timer globals; the HAL names them once for all adapters.
import type { TimerId } from "../hal";

// Declared here, not in globals.d.ts, because Node's types declare them too (with other signatures).
declare function setTimeout(fn: () => void, ms: number): TimerId;
declare function clearTimeout(id: TimerId): void;
declare function setInterval(fn: () => void, ms: number): TimerId;
declare function clearInterval(id: TimerId): void;

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
