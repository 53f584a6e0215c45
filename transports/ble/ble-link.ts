// Cell frames over Bluetooth LE: the Nordic UART Service (the BLE UART of Espruino boards such as
// Puck.js) with stream framing (COBS + CRC, wire-format §3.1) from core's streamLink. A lost connection
// is reconnected with backoff, as a serial port is; the frame it cut off is dropped alone.
import type { Transport } from "../../core/transport";
import type { ReconnectOptions } from "../reconnecting-port";
import { openReconnectingLink } from "../reconnecting-link";
import { nusMedium } from "./nus-medium";
import type { ConnectNus } from "./session";

export interface BleOptions {
  /** ATT MTU to ask for (default 247; the peripheral may agree to less, down to 23). */
  mtu?: number;
  /** Largest frame either end sends; both must agree (default 1044, the device default). */
  maxFrame?: number;
  /** Reconnect with backoff when the connection drops (default on); false: the link closes. */
  reconnect?: boolean | ReconnectOptions;
  /** Bytes waiting to be written before sends fail with Overloaded (default 64 KiB). */
  maxQueuedBytes?: number;
}

export interface BleTransport extends Transport {
  readonly name: string;
  readonly connected: boolean;
  onStatus(listener: (up: boolean) => void): () => void;
}

export async function openBle(name: string, connect: ConnectNus, opts: BleOptions = {}): Promise<BleTransport> {
  const link = await openReconnectingLink(`ble ${name}`, nusMedium(connect, opts.mtu ?? 247, opts.maxQueuedBytes ?? 65536), opts);
  return Object.assign(link, { name });
}
