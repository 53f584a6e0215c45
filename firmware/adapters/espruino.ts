// HAL adapter for Espruino (ESP32, Puck.js, Espruino Pico): serial devices deliver strings, E has the
// native helpers, Storage lives in flash, getTime() counts seconds.
import type { HalBytePort, HalLink, HalStorage, HeapInfo } from "../hal";

// Engine globals that Node's types also declare, so they are declared here and not in globals.d.ts.
declare function require(name: string): any;
declare var process: { memory(gc?: boolean): { usage: number; total: number; blocksize?: number } };
declare var console: { log(message: string): void };

export var engine = "espruino";

export interface EspruinoLinkConfig {
  /** The serial device object itself (Serial2, Bluetooth, ...), so the bundle names only that one. */
  port: EspruinoSerial;
  /** Baud rate and pins for port.setup(); omitted for USB and Bluetooth, which have none. */
  baud?: number;
  pins?: { tx: unknown; rx: unknown };
  /** The port is (or becomes, like Bluetooth on connect) the console: while it is, Espruino feeds its
   * input to the REPL instead of on('data'). Moving the console to LoopbackA keeps the frames ours. */
  takeConsole?: boolean;
}

function bytePort(port: EspruinoSerial): HalBytePort {
  return {
    write: function (bytes: Uint8Array) {
      port.write(bytes);
    },
    onData: function (cb: (bytes: Uint8Array) => void) {
      // A string of byte-valued chars per chunk; E.toUint8Array converts natively, and the copy is
      // freed as soon as cb returns (Espruino counts references), so chunks do not pile up.
      port.on("data", function (chunk: string) {
        cb(E.toUint8Array(chunk));
      });
    }
  };
}

/**
 * The link's serial device set up for a board build's lite stream link (core/lite/stream.ts takes it
 * as it is, byte strings and all), with the config spread into arguments: the generated entry calls
 * this with constants, so the minifier drops the branches the board does not need (no setup() for Bluetooth).
 */
export function linkPort(port: EspruinoSerial, takeConsole?: boolean, baud?: number, pins?: { tx: unknown; rx: unknown }): EspruinoSerial {
  if (takeConsole) LoopbackA.setConsole(true);
  if (baud) port.setup(baud, pins);
  return port;
}

export function openLink(c: EspruinoLinkConfig): HalLink {
  return { bytes: bytePort(linkPort(c.port, c.takeConsole, c.baud, c.pins)) };
}

export function now(): number {
  return getTime() * 1000;
}

export { timeout, cancelTimeout, interval, cancelInterval } from "./timers";

export function log(message: string): void {
  console.log(message);
}

/** Storage file names are at most 28 characters; longer keys are refused rather than cut (no collisions). */
var MAX_KEY = 28;

export var storage: HalStorage = {
  read: function (key: string): Uint8Array | null {
    if (key.length > MAX_KEY) return null;
    // readArrayBuffer maps the file in flash: no RAM copy.
    var ab = require("Storage").readArrayBuffer(key);
    return ab ? new Uint8Array(ab) : null;
  },
  write: function (key: string, bytes: Uint8Array): boolean {
    if (key.length > MAX_KEY) return false;
    try {
      // A string is written as-is; a typed array would go through Espruino's object handling.
      return require("Storage").write(key, E.toString(bytes)) === true;
    } catch (e) {
      return false; // flash full, or a name Storage refuses
    }
  },
  remove: function (key: string): void {
    if (key.length <= MAX_KEY) require("Storage").erase(key);
  }
};

/** The chip's own sensor; NaN on builds without one (ESP32). */
export function temperature(): number {
  return E.getTemperature();
}

export function analog(pin: string | number): number {
  return analogRead(pin);
}

/** process.memory() counts JsVars; blocksize (bytes per JsVar) is reported by firmware 2v0x and later. */
export function heap(): HeapInfo {
  var m = process.memory(false);
  var size = m.blocksize || 13;
  return { used: m.usage * size, total: m.total * size };
}

/** The BLE UART (Nordic UART Service) on boards that have Bluetooth; null elsewhere. */
export function openBle(): HalBytePort | null {
  return typeof Bluetooth === "undefined" ? null : bytePort(Bluetooth);
}

/**
 * Advertises the cells (spec/ble.md §2): `data` is the whole advertising data (flags, then Cell's
 * manufacturer data) and `names` the scan response, both made at build time (firmware/build/beacon.ts).
 * Raw arrays rather than setAdvertising's manufacturer options: the bytes are exactly the spec's, and
 * fewer go into the bundle.
 */
export function advertise(data: number[], names?: number[]): void {
  NRF.setAdvertising(data);
  NRF.setScanResponse(names);
}
