import type { LinkStats } from "./drops";

/** Who a frame came from (or goes to) on a link with many peers: UDP, NATS, a bridge. Stable per peer. */
export interface Peer {
  readonly id: string;
}

/**
 * A link that carries whole frames (header ‖ payload). How bytes are framed on the medium (COBS on
 * a UART, one datagram per frame on UDP, ...) is the transport's business, not its user's.
 *
 * Bytes passed to `send` or to the frame listener are valid only during that call (they are views
 * of reused buffers): a transport or listener that keeps them must copy.
 */
export interface Transport {
  /** The largest frame (header ‖ payload) this link carries; larger ones are refused with TooLarge. */
  readonly maxFrame: number;
  /** Sends one frame; on a link with many peers, `to` picks one (absent: the default peer or all). */
  send(frame: Uint8Array, to?: Peer): void;
  /** Sets the one receiver of incoming frames (the link's endpoint). */
  onFrame(listener: (frame: Uint8Array, from?: Peer) => void): void;
  /** Sets the receiver of link errors (port gone, socket error). Bad input is never an error: it is a counted drop. */
  onError(listener: (err: Error) => void): void;
  /** Adds a listener called once when the link closes (by `close()` or because the medium went away); at once if already closed. */
  onClose(listener: () => void): void;
  /** Frames, bytes and drops by reason, counted by the transport's decoder. */
  readonly stats: LinkStats;
  close(): void;
}
