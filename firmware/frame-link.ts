// A Transport over the sim firmware's frame-level API. The C firmware already did COBS, CRC-32 and
// the header's magic/version/kind/length checks (and counts what it dropped), so a frame here is whole.
import type { Transport } from "../core/transport";
import { newLinkStats, countDrop } from "../core/drops";
import { HEADER_SIZE } from "../core/header";
import { CellError, ErrorCode } from "../core/errors";

export function simFrameLink(maxFrame: number): Transport {
  var stats = newLinkStats();
  var frameListener: ((frame: Uint8Array) => void) | null = null;
  var errorListener: ((e: Error) => void) | null = null;
  var closeListener: (() => void) | null = null;
  var closed = false;

  sim.onFrame = function (frame: Uint8Array) {
    // The length read once: each property read is interpreted work on every frame.
    var n = frame.length;
    // The firmware's buffer may be larger than what this bundle agreed to handle.
    if (n > maxFrame) return countDrop(stats, "TooLong");
    if (n < HEADER_SIZE) return countDrop(stats, "TooShort");
    stats.framesIn++;
    stats.bytesIn += n;
    if (frameListener) frameListener(frame);
  };

  return {
    maxFrame: maxFrame,
    send: function (frame: Uint8Array) {
      var n = frame.length;
      if (closed) throw new CellError(ErrorCode.LinkClosed, "link closed");
      if (n > maxFrame) throw new CellError(ErrorCode.TooLarge, "frame of " + n + " bytes, link carries " + maxFrame);
      if (!sim.sendFrame(frame)) {
        if (errorListener) errorListener(new Error("sim.sendFrame refused a frame of " + frame.length + " bytes"));
        return;
      }
      stats.framesOut++;
      stats.bytesOut += n;
    },
    onFrame: function (listener: (frame: Uint8Array) => void) {
      frameListener = listener;
    },
    onError: function (listener: (e: Error) => void) {
      errorListener = listener;
    },
    onClose: function (listener: () => void) {
      closeListener = listener;
    },
    stats: stats,
    close: function () {
      if (closed) return;
      closed = true;
      sim.onFrame = null;
      if (closeListener) closeListener();
    }
  };
}
