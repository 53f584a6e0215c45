// A Transport over a raw byte stream (UART, TCP, pty, BLE UART): stream framing from core/stream.ts.
import type { Transport } from "./transport";
import type { BytePort } from "./byte-port";
import { HEADER_SIZE } from "./header";
import { newLinkStats } from "./drops";
import { CellError, ErrorCode } from "./errors";
import { StreamEncoder, StreamDecoder } from "./stream";

export { bytePipe } from "./byte-port";
export type { BytePort, PipeEnd, BytePipeOptions } from "./byte-port";

/** A device's default: a 1 KiB payload plus the header. Hosts usually pass a larger maxFrame. */
export var DEVICE_MAX_FRAME = 1024 + HEADER_SIZE;

export interface StreamLinkOptions {
  /** Largest frame (header ‖ payload) sent or accepted; both ends should agree. */
  maxFrame?: number;
}

/**
 * Frames over `port`. `send` writes one encoded frame per call through `port.write`, which must copy
 * or consume the bytes synchronously (they are a view of the encoder's reused buffer).
 * Incoming bytes are decoded with a bounded buffer; bad ones are counted in `stats.drops`.
 */
export function streamLink(port: BytePort, opts?: StreamLinkOptions): Transport {
  var maxFrame = (opts && opts.maxFrame) || DEVICE_MAX_FRAME;
  var stats = newLinkStats();
  var encoder = new StreamEncoder(maxFrame);
  var decoder = new StreamDecoder(maxFrame, stats);
  var frameListener: ((frame: Uint8Array) => void) | null = null;
  var errorListener: ((err: Error) => void) | null = null;
  var closeListeners: (() => void)[] = [];
  var closed = false;

  function reportError(err: Error): void {
    if (errorListener) errorListener(err);
  }

  // A throwing listener must not tear the decoder's state or lose the rest of a chunk:
  // its error goes to the error listener (or up to the port when there is none).
  function deliver(frame: Uint8Array): void {
    if (!frameListener) return;
    try {
      frameListener(frame);
    } catch (e) {
      if (!errorListener) throw e;
      errorListener(e instanceof Error ? e : new Error(String(e)));
    }
  }

  function finish(): void {
    if (closed) return;
    closed = true;
    var list = closeListeners;
    closeListeners = [];
    for (var i = 0; i < list.length; i++) list[i]();
  }

  port.onData(function (bytes) {
    if (!closed) decoder.feed(bytes, deliver);
  });
  if (port.onClose) port.onClose(finish);
  if (port.onError) port.onError(reportError);

  return {
    maxFrame: maxFrame,
    stats: stats,
    send: function (frame: Uint8Array): void {
      if (closed) throw new CellError(ErrorCode.LinkClosed, "stream link is closed");
      if (frame.length > maxFrame)
        throw new CellError(ErrorCode.TooLarge, "frame of " + frame.length + " bytes exceeds the link's " + maxFrame);
      if (frame.length < HEADER_SIZE) throw new RangeError("streamLink.send: a frame is at least the " + HEADER_SIZE + "-byte header");
      var bytes = encoder.encode(frame);
      port.write(bytes);
      stats.framesOut++;
      stats.bytesOut += bytes.length;
    },
    onFrame: function (listener) {
      frameListener = listener;
    },
    onError: function (listener) {
      errorListener = listener;
    },
    onClose: function (listener) {
      if (closed) listener();
      else closeListeners.push(listener);
    },
    close: function (): void {
      if (closed) return;
      finish();
      if (port.close) port.close();
    }
  };
}
