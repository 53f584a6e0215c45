// Paced writes for links whose far end loses bytes when they come too fast: Espruino 2v26-2v29 drop
// bytes when a serial data event is longer than ~17 bytes and more are queued (fixed upstream in
// a3f085979). Writes are cut into chunks sent `gapMs` apart, in order; a frame lost anyway is dropped
// by CRC at the board and the caller's timeout/retry takes over.
import type { BytePort } from "../core/byte-port";

export interface Pacing {
  /** Bytes per write to the medium. */
  chunkBytes: number;
  /** Pause between two chunks, in ms. */
  gapMs: number;
}

/** `port` with its writes paced; the other methods are the port's own. */
export function pacedPort<P extends BytePort>(port: P, pacing: Pacing): BytePort {
  const queue: Uint8Array[] = [];
  let busy = false;
  const pump = () => {
    const next = queue.shift();
    if (!next) {
      busy = false;
      return;
    }
    try {
      port.write(next);
    } catch {
      queue.length = 0; // the port closed or went away: what was queued is lost, as on a pulled cable
      busy = false;
      return;
    }
    setTimeout(pump, pacing.gapMs);
  };
  return {
    write(bytes: Uint8Array) {
      for (let i = 0; i < bytes.length; i += pacing.chunkBytes) queue.push(bytes.slice(i, i + pacing.chunkBytes)); // copies: the caller reuses its buffer
      if (!busy) {
        busy = true;
        pump();
      }
    },
    onData: (cb) => port.onData(cb),
    close: port.close && (() => port.close!()),
    onClose: port.onClose && ((cb) => port.onClose!(cb)),
    onError: port.onError && ((cb) => port.onError!(cb))
  };
}

/** The pacing a board's JSON asks for on its link (`link.pacing`), for the given engine variant. */
export function boardPacing(board: { ports?: { link?: { pacing?: Pacing } } }, variant?: string): Pacing | undefined {
  if (variant === "fixed") return undefined;
  return board.ports && board.ports.link && board.ports.link.pacing;
}
