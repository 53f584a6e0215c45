// The boot loader of the simulated board, as a cell (spec/loader.md). The C firmware implements it by
// hand; test/sim-firmware.test.ts checks that sim/firmware/loader_schema.h matches the ids and text here.
import { cell, method, t } from "../core/schema";

export var loaderCell = cell("cell.loader", {
  /** Copies `data` into the staging area at `offset` (bounded by the store size). */
  write: method(t.struct({ offset: t.u32, data: t.bytes }), t.struct({})),
  /** Checks the first `size` staged bytes against both digests, stores them, answers, then reboots into them. */
  commit: method(t.struct({ size: t.u32, crc32: t.u32, sha256: t.bytes }), t.struct({})),
  /**
   * commit, plus the bundle's signature file (spec/signing.md §3) and whether a lower version may replace the
   * running release. A board with a provisioned key checks it (spec/signing.md §4) before storing anything.
   */
  commitSigned: method(t.struct({ size: t.u32, crc32: t.u32, sha256: t.bytes, signature: t.bytes, force: t.bool }), t.struct({})),
  /** Soft reset: a fresh JS heap that runs the stored bundle again. Answers first. */
  reset: method(t.struct({}), t.struct({})),
  status: method(
    t.struct({}),
    t.struct({
      bundleSize: t.u32,
      bundleCrc32: t.u32,
      running: t.bool,
      lastError: t.string,
      heapSize: t.u32,
      heapPeak: t.u32,
      uptimeMs: t.u32
    }),
    { idempotent: true }
  )
});
