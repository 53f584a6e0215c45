// HAL adapter for Kaluma (JerryScript) on the RP2040: the uart module's UART class ('data' events
// carry a Uint8Array), the string-valued `storage` object, millis() and the usual timers.
import type { HalBytePort, HalLink, HalStorage, HeapInfo } from "../hal";
import { kvGet, kvSet, kvRemove } from "./kaluma-kv";

// Engine globals that Node's types also declare, so they are declared here and not in globals.d.ts.
declare function require(name: string): any;
declare var process: { memoryUsage(): { heapTotal: number; heapUsed: number; heapPeak: number } };
declare var console: { log(message: string): void };

export var engine = "jerryscript";

/** What the uart module's UART class gives: an EventEmitter whose 'data' events carry a Uint8Array. */
export interface KalumaUart {
  write(bytes: Uint8Array | string): void;
  on(event: "data", cb: (bytes: Uint8Array) => void): void;
  close(): void;
}

export interface KalumaLinkConfig {
  /** UART port number (0 or 1 on the Pico). */
  port: number;
  baud: number;
  /** GPIO numbers; omitted for the port's default pins (UART0: GP0/GP1). */
  pins?: { tx: number; rx: number };
  /** Kaluma's read buffer; bytes beyond it are lost before the 'data' event runs. Default 2048. */
  bufferSize?: number;
}

/**
 * The UART options for `c`, as the uart module takes them: the baud rate, and the buffer size and pins
 * only where they differ from Kaluma's defaults (2048 bytes; UART0 on GP0/GP1). firmware/build/entry.ts
 * writes the same object into a board build's entry (test/firmware-adapters.test.ts holds them equal).
 */
export function uartOptions(c: KalumaLinkConfig): { [option: string]: number } {
  var options: { [option: string]: number } = { baudrate: c.baud };
  if (c.bufferSize && c.bufferSize != 2048) options.bufferSize = c.bufferSize;
  if (c.pins && !(c.port == 0 && c.pins.tx == 0 && c.pins.rx == 1)) {
    options.tx = c.pins.tx;
    options.rx = c.pins.rx;
  }
  return options;
}

/**
 * The link's UART, opened: a board build's lite stream link (core/lite/stream.ts) takes it as it is.
 * A board build's generated entry passes the options as a literal (uartOptions, run at build time).
 */
export function linkPort(port: number, options: { [option: string]: number }): KalumaUart {
  return new (require("uart").UART)(port, options);
}

export function openLink(c: KalumaLinkConfig): HalLink {
  var uart = linkPort(c.port, uartOptions(c));
  return {
    bytes: {
      write: function (bytes: Uint8Array) {
        uart.write(bytes);
      },
      onData: function (cb: (bytes: Uint8Array) => void) {
        uart.on("data", cb);
      },
      close: function () {
        uart.close();
      }
    }
  };
}

export function now(): number {
  return millis();
}

export { timeout, cancelTimeout, interval, cancelInterval } from "./timers";

export function log(message: string): void {
  console.log(message);
}

var HEX = "0123456789abcdef";
/** Kaluma keeps an item to 253 bytes of key + value. */
var MAX_ITEM = 253;

// Values are strings, and a NUL or a byte above 0x7F would not survive as one: bytes are kept as hex.
export var storage: HalStorage = {
  read: function (key: string): Uint8Array | null {
    var s = kvGet(key);
    if (s === null || s.length % 2 !== 0) return null;
    var out = new Uint8Array(s.length / 2);
    for (var i = 0; i < out.length; i++) {
      var hi = HEX.indexOf(s.charAt(2 * i));
      var lo = HEX.indexOf(s.charAt(2 * i + 1));
      if (hi < 0 || lo < 0) return null; // not written by this adapter
      out[i] = (hi << 4) | lo;
    }
    return out;
  },
  write: function (key: string, bytes: Uint8Array): boolean {
    if (key.length + 2 * bytes.length > MAX_ITEM) return false;
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += HEX.charAt(bytes[i] >> 4) + HEX.charAt(bytes[i] & 15);
    try {
      kvSet(key, s);
      return true;
    } catch (e) {
      return false; // 64 items already, or flash trouble
    }
  },
  remove: function (key: string): void {
    kvRemove(key);
  }
};

/** Kaluma has no temperature call: boards read a sensor through analog() instead. */
export function temperature(): number {
  return NaN;
}

export function analog(pin: string | number): number {
  try {
    return analogRead(pin);
  } catch (e) {
    return NaN; // RangeError: the pin has no ADC
  }
}

export function heap(): HeapInfo {
  var m = process.memoryUsage();
  return { used: m.heapUsed, total: m.heapTotal };
}

export function openBle(): HalBytePort | null {
  return null;
}
