// HAL adapter for the `host` board (Node.js): the link is stdin/stdout (or any Node streams given in
// the config), storage is kept in memory, temperature is a simulated sensor.
import type { HalBytePort, HalLink, HalStorage, HeapInfo } from "../hal";

// Node globals, declared here so the device type-check (ES5 library, no Node types) stays clean.
declare var process: any;
declare var console: { error(message: string): void };

interface NodeStreams {
  /** A readable byte stream (default process.stdin). */
  input?: any;
  /** A writable byte stream (default process.stdout). */
  output?: any;
}

export var engine = "node";

export function openLink(c?: NodeStreams): HalLink {
  var input = (c && c.input) || process.stdin;
  var output = (c && c.output) || process.stdout;
  var port: HalBytePort = {
    write: function (bytes: Uint8Array) {
      output.write(new Uint8Array(bytes)); // copied: the caller reuses its buffer
    },
    onData: function (cb: (bytes: Uint8Array) => void) {
      input.on("data", function (chunk: Uint8Array) {
        cb(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      });
    },
    onClose: function (cb: () => void) {
      input.on("end", cb);
    },
    onError: function (cb: (e: Error) => void) {
      input.on("error", cb);
      output.on("error", cb);
    },
    close: function () {
      if (input.pause) input.pause();
    }
  };
  return { bytes: port };
}

export function now(): number {
  return Date.now();
}

export { timeout, cancelTimeout, interval, cancelInterval } from "./timers";

/** stderr: stdout may be the link. */
export function log(message: string): void {
  console.error(message);
}

var kept: { [key: string]: Uint8Array } = {};
export var storage: HalStorage = {
  read: function (key: string): Uint8Array | null {
    return Object.prototype.hasOwnProperty.call(kept, key) ? new Uint8Array(kept[key]) : null;
  },
  write: function (key: string, bytes: Uint8Array): boolean {
    kept[key] = new Uint8Array(bytes);
    return true;
  },
  remove: function (key: string): void {
    delete kept[key];
  }
};

var origin = Date.now();
/** A simulated sensor: 21.5 °C give or take 2, over a few minutes. */
export function temperature(): number {
  return 21.5 + 2 * Math.sin((Date.now() - origin) / 60000);
}

export function analog(_pin: string | number): number {
  return NaN;
}

export function heap(): HeapInfo {
  var m = process.memoryUsage();
  return { used: m.heapUsed, total: m.heapTotal };
}

export function openBle(): HalBytePort | null {
  return null;
}
