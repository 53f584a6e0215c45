// What the BLE link and the bridge's scanner need from a Bluetooth library: advertisements, and a way
// to connect to the Nordic UART Service of one peripheral.
import type { ConnectNus } from "./session";

export interface Advertisement {
  /** The peripheral's address (or the library's id for it, e.g. on macOS). */
  address: string;
  name?: string;
  /** Manufacturer-specific data: the 2-byte company id (little-endian) first. */
  manufacturerData?: Uint8Array;
  rssi?: number;
}

export interface BleCentral {
  /** "noble" or "node-ble". */
  readonly library: string;
  /** Starts scanning; every advertisement heard goes to `onAdvert` (duplicates included). */
  scan(onAdvert: (a: Advertisement) => void): Promise<void>;
  stopScan(): void;
  /** Connects to the NUS of the peripheral at `address` (scan first on libraries that need it). */
  connector(address: string): ConnectNus;
  close(): void;
}
