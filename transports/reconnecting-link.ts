// A stream-framed link over a medium that is reopened with backoff when it goes away: what a serial
// port (or tcp://) and a BLE UART both are. The port feeds its own delimiter to the reader when the
// medium is lost, cutting a partial frame; that byte was never on the medium, so it is un-counted.
import type { BytePort } from "../core/byte-port";
import type { Transport, Peer } from "../core/transport";
import { streamLink, DEVICE_MAX_FRAME } from "../core/stream-link";
import { ReconnectingPort, ReconnectOptions } from "./reconnecting-port";
import type { OpenMedium } from "./medium";

export interface ReconnectingLink extends Transport {
  readonly connected: boolean;
  onStatus(listener: (up: boolean) => void): () => void;
}

/** `reconnect`: false closes the link when the medium goes; `wrap` sits between port and framing (pacing). */
export async function openReconnectingLink(
  label: string,
  open: OpenMedium,
  o: { reconnect?: boolean | ReconnectOptions; maxFrame?: number },
  wrap: (port: BytePort) => BytePort = (port) => port
): Promise<ReconnectingLink> {
  const reconnect = o.reconnect === false ? null : typeof o.reconnect === "object" ? o.reconnect : {};
  const port = new ReconnectingPort(label, open, reconnect, () => {
    link.stats.bytesIn--;
  });
  await port.start();
  const link = streamLink(wrap(port), { maxFrame: o.maxFrame || DEVICE_MAX_FRAME });
  return {
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
