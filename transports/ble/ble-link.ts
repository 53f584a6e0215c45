// Cell frames over Bluetooth LE: the Nordic UART Service (the BLE UART of Espruino boards such as
// Puck.js) with stream framing (COBS + CRC, wire-format §3.1) from core's streamLink. A lost connection
// is reconnected with backoff, as a serial port is; the frame it cut off is dropped alone.
import type { Transport, Peer } from "../../core/transport";
import { streamLink, DEVICE_MAX_FRAME } from "../../core/stream-link";
import { ReconnectingPort, ReconnectOptions } from "../reconnecting-port";
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
  const reconnect = opts.reconnect === false ? null : typeof opts.reconnect === "object" ? opts.reconnect : {};
  const port = new ReconnectingPort(`ble ${name}`, nusMedium(connect, opts.mtu ?? 247, opts.maxQueuedBytes ?? 65536), reconnect, () => {
    link.stats.bytesIn--; // the delimiter that cut a partial frame at the loss never was on the air
  });
  await port.start();
  const link = streamLink(port, { maxFrame: opts.maxFrame || DEVICE_MAX_FRAME });
  return {
    name,
    get connected() {
      return port.connected;
    },
    onStatus: (listener) => port.onStatus(listener),
    maxFrame: link.maxFrame,
    stats: link.stats,
    send: (frame: Uint8Array, to?: Peer) => link.send(frame, to),
    onFrame: (listener) => link.onFrame(listener),
    onError: (listener) => link.onError(listener),
    onClose: (listener) => link.onClose(listener),
    close: () => link.close()
  };
}
