// Shared by the test/lite-*.test.ts files: the lite stream link driven by hand (a byte port whose
// written bytes and delivered frames are collected), hex helpers, and the codecs.json value model.
import type { Type } from "../core/schema";
import { seek, frame, at } from "../core/lite/bytes";
import { streamLink, DROP_REASONS } from "../core/lite/stream";
import { crc32 } from "../core/lite/crc";
import { compactCodec } from "../core/lite/compact";

export const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A lite stream link on a fake port: `feed` plays received bytes, `written` collects what it sends. */
export function liteLinkOnPort(maxFrame: number) {
  let data: (b: Uint8Array) => void = () => {};
  const written: Uint8Array[] = [];
  const frames: Uint8Array[] = [];
  const link = streamLink({ write: (b) => void written.push(new Uint8Array(b)), on: (_event, cb) => void (data = cb) }, maxFrame, crc32);
  link.onFrame((f) => void frames.push(new Uint8Array(f)));
  return {
    link,
    frames,
    written,
    feed: (b: Uint8Array) => data(b),
    /** The drop counts by reason name, only those above 0 (core's LinkStats.drops shape). */
    drops: () => Object.fromEntries(link.drops.map((n, i) => [DROP_REASONS[i], n]).filter(([, n]) => (n as number) > 0))
  };
}

/** Lite COMPACT encode of `value` as new bytes (the codec appends to the shared frame cursor). */
export function liteEncode(type: Type, value: unknown, room = 1 << 16): Uint8Array {
  seek(0, new Uint8Array(room));
  compactCodec.encode(type, value);
  return frame.slice(0, at);
}

/** What a lite encode or decode threw: the bare error code. */
export function liteError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return "no error";
}
