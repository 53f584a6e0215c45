// The hardware abstraction the device runtime and device-side cells are written against.
// Each engine family has one adapter module (firmware/adapters/*) that exports exactly these members,
// mapped onto that engine's real objects; a board build aliases the virtual module "cell:hal" to it, so
// a cell imports only what it uses and the rest of the adapter is tree-shaken away.
import type { Transport } from "../core/transport";
import type { BytePort } from "../core/byte-port";

/** A byte stream to the host (UART, USB CDC, BLE UART): the shape of core's BytePort. */
export type HalBytePort = BytePort;

/**
 * The link to the host. Most boards give a byte stream, framed by core's streamLink (COBS + CRC);
 * the sim firmware frames in C and gives whole checked frames, so it is already a Transport.
 */
export interface HalLink {
  bytes?: HalBytePort;
  frames?: Transport;
}

/** Small persistent key/value storage (Espruino Storage, Kaluma storage, the sim firmware's store). */
export interface HalStorage {
  /** The bytes stored under `key`, or null when there are none. */
  read(key: string): Uint8Array | null;
  /** Stores `bytes` under `key`; false when the engine refused (key too long, value too big, full). */
  write(key: string, bytes: Uint8Array): boolean;
  remove(key: string): void;
}

export interface HeapInfo {
  /** Bytes of the engine heap in use now. */
  used: number;
  /** Bytes the heap may grow to (0 when the engine does not say). */
  total: number;
}

/** Timer handles are whatever the engine returns (a number on every device engine). */
export type TimerId = unknown;

/** What every adapter module exports. `LinkConfig` is engine-specific: which port, baud rate, pins. */
export interface Hal<LinkConfig = any> {
  /** The engine family: "espruino", "jerryscript", "duktape" or "node". */
  readonly engine: string;
  /** Opens the link to the host. Call once. */
  openLink(config: LinkConfig): HalLink;
  /** Milliseconds from an arbitrary origin; only differences mean anything. */
  now(): number;
  timeout(fn: () => void, ms: number): TimerId;
  cancelTimeout(id: TimerId): void;
  interval(fn: () => void, ms: number): TimerId;
  cancelInterval(id: TimerId): void;
  /** A line to the board's console (never to the link). */
  log(message: string): void;
  readonly storage: HalStorage;
  /** Degrees Celsius from the board's own sensor; NaN when it has none. */
  temperature(): number;
  /** An analog input as 0..1 (pin in the engine's own naming); NaN when the pin has no ADC. */
  analog(pin: string | number): number;
  heap(): HeapInfo;
  /** The BLE UART as a second byte port, when the board has one the link does not use; else null. */
  openBle(): HalBytePort | null;
}
