// The engine globals the firmware adapters use, declared as minimally as the adapters need them.
// Only names no other environment declares live here; setTimeout, require and process, which Node's
// types also declare, are declared inside the adapter modules that use them.

/** An Espruino serial device (Serial1, Serial2, USB, Bluetooth, LoopbackA): data arrives as strings. */
interface EspruinoSerial {
  setup(baud: number, options?: { tx?: unknown; rx?: unknown }): void;
  on(event: "data", listener: (data: string) => void): void;
  write(data: Uint8Array | string): void;
  /** Makes this device the console (REPL); `force` keeps it there when USB or BLE connects. */
  setConsole(force?: boolean): void;
}
declare var Serial1: EspruinoSerial;
declare var Serial2: EspruinoSerial;
declare var USB: EspruinoSerial;
declare var Bluetooth: EspruinoSerial;
declare var LoopbackA: EspruinoSerial;
/** Espruino's Bluetooth LE (nRF52 boards): the advertising and scan response data. */
declare var NRF: {
  setAdvertising(
    data: object | number[],
    options?: { showName?: boolean; discoverable?: boolean; manufacturer?: number; manufacturerData?: number[] | string }
  ): void;
  /** Raw AD structures; undefined: Espruino's default scan response. */
  setScanResponse(data: number[] | undefined): void;
};
/** Espruino's utility object. */
declare var E: {
  CRC32(data: Uint8Array | string): number;
  toUint8Array(data: string | Uint8Array | number[]): Uint8Array;
  /** Bytes to a string of byte-valued chars (what Storage.write stores as-is). */
  toString(data: Uint8Array): string;
  getTemperature(): number;
};
/** Espruino: seconds (with fractions) since 1970 or since boot. */
declare function getTime(): number;

/** Kaluma's key/value store: string values, at most 253 bytes of key + value, 64 items. */
declare var storage: {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
};
/** Kaluma: milliseconds. */
declare function millis(): number;
/** Espruino and Kaluma: an analog input as 0..1. */
declare function analogRead(pin: string | number): number;

/** The native object of our Duktape firmware (sim/firmware/jsapi.c). Framing (COBS + CRC-32) is done in C. */
declare var sim: {
  /** Sends one frame (header ‖ payload); false if the firmware refused it (bad header, or over its link size). */
  sendFrame(frame: Uint8Array): boolean;
  /** Called with each complete, CRC-checked frame; the view is valid only during the call. */
  onFrame: ((frame: Uint8Array) => void) | null;
  /** Text natives (sim/firmware/text.c; absent from older firmware and the host runner): core/lite/utf8.ts TextNatives. */
  textIn?(b: Uint8Array, i: number, end: number): string | undefined;
  textOut?(s: string, f: Uint8Array, at: number, prefixed?: number): number | undefined;
  millis(): number;
  log(message: string): void;
  /** The stored bytes, or undefined. */
  storageRead(key: string): Uint8Array | undefined;
  /** Stores bytes (an empty value removes the key); false when the key or value is too long or the store is full. */
  storageWrite(key: string, value: Uint8Array): boolean;
  heap(): { size: number; total: number; used: number; peak: number };
  /** A full garbage collection now: `heap().used` after it counts live objects only. */
  gc(): void;
  temperature(): number;
};
