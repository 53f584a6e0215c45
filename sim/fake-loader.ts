// An in-memory stand-in for the simulated board's loader (spec/loader.md), served with core's serve()
// over a loopback pair, so the host side's logic is tested without QEMU. Test helper only.
import { createHash } from "node:crypto";
import type { Transport } from "../core/transport";
import { loopbackPair } from "../core/loopback";
import { serve } from "../core/host/serve";
import { CellError, ErrorCode } from "../core/errors";
import { crc32 } from "../core/crc32";
import { utf8Decode } from "../core/utf8";
import { loaderCell } from "./loader-schema";

export interface FakeBoard {
  host: Transport;
  device: Transport;
  /** Data lengths of the `write`s received, in order. */
  writes: number[];
  stored(): Uint8Array | null;
  /** Flip one staged byte after each write (a damaged transfer the digests must catch). */
  corrupt: boolean;
  resets: number;
  /** Every frame the device end received, copied. */
  received: Uint8Array[];
  /** What the last commitSigned carried (this fake board has no provisioned key, so it checks neither). */
  lastSigned: { signature: Uint8Array; force: boolean } | null;
  /** When set, commitSigned is refused with this BadPayload message (what a board with a key says). */
  refuseSigned: string | null;
}

/** A "bundle" runs unless its text contains `throw` (then it "threw at start", like the firmware says). */
export function fakeBoard(maxFrame = 1024): FakeBoard {
  var [host, device] = loopbackPair({ maxFrame });
  var staging = new Uint8Array(512 * 1024);
  var stored: Uint8Array | null = null;
  var running = false;
  var lastError = "";
  var board: FakeBoard = {
    host,
    device,
    writes: [],
    stored: () => stored,
    corrupt: false,
    resets: 0,
    received: [],
    lastSigned: null,
    refuseSigned: null
  };
  var onFrame = device.onFrame.bind(device);
  device.onFrame = (listener) => onFrame((frame, from) => (board.received.push(frame.slice()), listener(frame, from)));
  serve(
    loaderCell,
    {
      write({ offset, data }) {
        if (offset + data.length > staging.length) throw new CellError(ErrorCode.BadPayload, "write past the end of the staging area");
        staging.set(data, offset);
        if (board.corrupt && data.length > 0) staging[offset] ^= 1;
        board.writes.push(data.length);
        return {};
      },
      commit: commit,
      commitSigned({ size, crc32: crc, sha256, signature, force }) {
        if (board.refuseSigned) throw new CellError(ErrorCode.BadPayload, board.refuseSigned);
        commit({ size, crc32: crc, sha256 });
        board.lastSigned = { signature: signature.slice(), force };
        return {};
      },
      reset() {
        board.resets++;
        return {};
      },
      status() {
        return {
          bundleSize: stored ? stored.length : 0,
          bundleCrc32: stored ? crc32(stored) : 0,
          running,
          lastError,
          heapSize: 262144,
          heapPeak: 90000,
          uptimeMs: 7
        };
      }
    },
    device
  );
  return board;

  function commit({ size, crc32: crc, sha256 }: { size: number; crc32: number; sha256: Uint8Array }) {
    var bytes = staging.subarray(0, size);
    if (crc32(bytes) !== crc) throw new CellError(ErrorCode.BadPayload, `crc32 mismatch: staged ${crc32(bytes)}, expected ${crc}`);
    if (Buffer.compare(createHash("sha256").update(bytes).digest(), Buffer.from(sha256)) !== 0)
      throw new CellError(ErrorCode.BadPayload, "sha256 mismatch");
    stored = bytes.slice();
    running = !/throw/.test(utf8Decode(stored, 0, stored.length));
    lastError = running ? "" : "bundle threw at start: Error: boom";
    return {};
  }
}
