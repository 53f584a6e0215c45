// A typed client of the simulated board's boot loader (spec/loader.md). The loader is an ordinary cell,
// so this is core's remote() with the loader's schema: COMPACT calls over the board's UART link.
import { createHash } from "node:crypto";
import type { Transport } from "../core/transport";
import type { ResOf } from "../core/schema";
import { HEADER_SIZE } from "../core/header";
import { crc32 } from "../core/crc32";
import { hex32 } from "../core/hex";
import { remote, Remote } from "../core/host/remote";
import { loaderCell } from "./loader-schema";
import { isRebootGuard } from "./reboot-guard";

type LoaderMembers = typeof loaderCell.members;
export type LoaderStatus = ResOf<LoaderMembers["status"]>;

/** Time for a new bundle to start: the firmware cuts a bundle stuck in its top level after 5 s. */
export var START_TIMEOUT_MS = 15000;

export interface FlashProgress {
  phase: "write" | "commit" | "start";
  /** Bundle bytes the board has acknowledged so far. */
  done: number;
  total: number;
}

export interface FlashOptions {
  onProgress?: (p: FlashProgress) => void;
  /** Largest frame the board accepts; default (and at most) the link's maxFrame. */
  maxFrame?: number;
  /** `write` requests in flight at once (the board handles them in order; the UART holds back the rest). */
  window?: number;
  /** Timeout of each write/commit call, ms. */
  timeoutMs?: number;
  /** The bundle's signature file (spec/signing.md §3): sent with the commit (`commitSigned`). */
  signature?: Uint8Array;
  /** Lets a signed bundle with a lower version replace the running release (no `Rollback` refusal). */
  force?: boolean;
}

/** Why a board with a provisioned key refused a bundle (spec/signing.md §4). */
export var SIGNING_REFUSALS = [
  "SignatureMalformed",
  "SignerUntrusted",
  "SignatureInvalid",
  "BundleTampered",
  "WrongBoard",
  "Rollback"
] as const;
export type SigningRefusal = (typeof SIGNING_REFUSALS)[number];

/** Flashing failed because of the bundle: the board refused it, or stored it and it does not run. */
export class FlashError extends Error {
  constructor(
    message: string,
    /** The board's status after the attempt (absent when the commit itself was refused). */
    readonly status?: LoaderStatus,
    /** Set when the board refused the bundle's signature or release (spec/signing.md §4). */
    readonly refusal?: SigningRefusal
  ) {
    super(message);
    this.name = "FlashError";
  }
}

/** Unsigned LEB128 length of `n` (COMPACT's varint). */
function varintLength(n: number): number {
  var len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Data bytes per `write` so that header + offset (≤ 5-byte varint) + data length + data fit `maxFrame`. */
export function writeChunkSize(maxFrame: number): number {
  var chunk = maxFrame - HEADER_SIZE - 5 - varintLength(maxFrame);
  if (chunk < 1) throw new RangeError(`cell.loader: a maxFrame of ${maxFrame} leaves no room for data`);
  return chunk;
}

export interface LoaderClient {
  /** The loader as a plain remote cell (describe, status, raw write/commit). */
  readonly cell: Remote<LoaderMembers>;
  status(opts?: { timeoutMs?: number }): Promise<LoaderStatus>;
  /** Soft-resets the board (fresh JS heap, same bundle); calls to the bundle it lost fail with Unreachable. */
  reset(): Promise<void>;
  /** Writes, verifies and commits `bundle`, then waits until it runs; FlashError if it does not. */
  flash(bundle: Uint8Array, opts?: FlashOptions): Promise<LoaderStatus>;
}

export function loaderClient(link: Transport): LoaderClient {
  var cell = remote(loaderCell, link);
  var guard = isRebootGuard(link) ? link : null;

  /** Runs `op`, which ends in a reboot of the board, and tells the guard which calls that lost. */
  async function rebooting(op: () => Promise<unknown>, reason: string): Promise<void> {
    var mark = guard ? guard.mark() : 0;
    await op();
    if (guard) guard.failBefore(mark, reason);
  }

  async function flash(bundle: Uint8Array, opts?: FlashOptions): Promise<LoaderStatus> {
    var o = opts || {};
    if (bundle.length === 0) throw new FlashError("an empty bundle cannot be flashed");
    var chunk = writeChunkSize(Math.min(o.maxFrame || link.maxFrame, link.maxFrame));
    var callOpts = { timeoutMs: o.timeoutMs || 10000 };
    var progress = (phase: FlashProgress["phase"], done: number) => o.onProgress && o.onProgress({ phase, done, total: bundle.length });

    var next = 0;
    var acked = 0;
    async function writer(): Promise<void> {
      while (next < bundle.length) {
        const at = next;
        const end = Math.min(bundle.length, at + chunk);
        next = end;
        await cell.write({ offset: at, data: bundle.subarray(at, end) }, callOpts);
        acked += end - at;
        progress("write", acked);
      }
    }
    var lanes: Promise<void>[] = [];
    for (var i = 0; i < Math.max(1, o.window || 8); i++) lanes.push(writer());
    await Promise.all(lanes);

    var crc = crc32(bundle);
    progress("commit", acked);
    var sha256 = new Uint8Array(createHash("sha256").update(bundle).digest());
    var signature = o.signature;
    try {
      await rebooting(
        () =>
          signature
            ? cell.commitSigned({ size: bundle.length, crc32: crc, sha256: sha256, signature: signature, force: !!o.force }, callOpts)
            : cell.commit({ size: bundle.length, crc32: crc, sha256: sha256 }, callOpts),
        "the board rebooted into a new bundle (cell.loader commit)"
      );
    } catch (e) {
      if ((e as { codeName?: string }).codeName === "BadPayload") {
        var message = (e as Error).message;
        var named = /^(\w+): /.exec(message);
        var refusal = named && (SIGNING_REFUSALS as readonly string[]).indexOf(named[1]) >= 0 ? (named[1] as SigningRefusal) : undefined;
        throw new FlashError(`the board refused the bundle: ${message}`, undefined, refusal);
      }
      throw e;
    }
    // Answered after the new bundle's top level ran (the firmware boots it before reading more frames).
    var status = await cell.status({}, { timeoutMs: START_TIMEOUT_MS });
    progress("start", acked);
    if (status.bundleSize !== bundle.length || status.bundleCrc32 !== crc) {
      throw new FlashError(
        `the board stores a different bundle after the commit (${status.bundleSize} bytes, crc32 ${hex(status.bundleCrc32)})`,
        status
      );
    }
    if (!status.running)
      throw new FlashError(
        `the bundle was stored but does not run: ${status.lastError || "(no error reported)"}${heapHint(status)}`,
        status
      );
    return status;
  }

  return {
    cell: cell,
    status: (opts) => cell.status({}, opts),
    reset: () => rebooting(() => cell.reset({}), "the board was reset (cell.loader reset)"),
    flash: flash
  };
}

/** Flashes `bundle` through the loader on `link` (see LoaderClient.flash). */
export function flash(link: Transport, bundle: Uint8Array, opts?: FlashOptions): Promise<LoaderStatus> {
  return loaderClient(link).flash(bundle, opts);
}

/** Duktape's out-of-memory errors can be bare ("Error", "DoubleError"): say when the heap was full. */
function heapHint(s: LoaderStatus): string {
  if (s.heapPeak < s.heapSize * 0.95) return "";
  return ` (the JS heap peaked at ${s.heapPeak} of its ${s.heapSize} bytes: the bundle most likely ran out of memory)`;
}

const hex = hex32;
