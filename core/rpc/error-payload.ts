// The ERROR payload (codec RAW): u8 code, then the message as UTF-8 up to the end of the payload.
import type { Writer } from "../codec";
import { CellError, ErrorCode } from "../errors";
import { utf8Length, utf8Write, utf8Decode } from "../utf8";

/** Messages are cut to this many bytes: an error must fit small links, and a peer's text is not a channel. */
export var MAX_ERROR_MESSAGE = 240;

/** `text` shortened to at most `maxBytes` of UTF-8, never splitting a character. */
export function clipUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes && utf8Length(text) <= maxBytes) return text;
  var s = text.length > maxBytes ? text.substring(0, maxBytes) : text;
  var over = utf8Length(s) - maxBytes;
  while (over > 0) {
    // Each character is at most 3 bytes (a pair 4), so dropping over/3 characters never overshoots by much.
    s = s.substring(0, s.length - Math.max(1, Math.floor(over / 3)));
    over = utf8Length(s) - maxBytes;
  }
  var last = s.charCodeAt(s.length - 1);
  if (last >= 0xd800 && last < 0xdc00) s = s.substring(0, s.length - 1); // half a surrogate pair
  return s;
}

/** Appends an ERROR payload to `w`; the message is clipped to `maxBytes` (default MAX_ERROR_MESSAGE). */
export function writeErrorPayload(w: Writer, code: number, message: string, maxBytes?: number): void {
  var text = clipUtf8(message, maxBytes === undefined ? MAX_ERROR_MESSAGE : maxBytes);
  var n = utf8Length(text);
  w.ensure(1 + n);
  w.buf[w.pos++] = code & 255;
  w.pos = utf8Write(text, w.buf, w.pos);
}

export interface ErrorFields {
  code: number;
  message: string;
}

/** Reads an ERROR payload; null when it is malformed (empty, or code 0 which is never sent). */
export function readErrorPayload(b: Uint8Array): ErrorFields | null {
  if (b.length < 1 || b[0] === 0) return null;
  return { code: b[0], message: utf8Decode(b, 1, b.length) };
}

/** The CellError an ERROR payload stands for; a malformed one becomes BadPayload, never a crash. */
export function errorFromPayload(b: Uint8Array): CellError {
  var f = readErrorPayload(b);
  if (!f) return new CellError(ErrorCode.BadPayload, "malformed ERROR payload");
  return new CellError(f.code, f.message || undefined);
}

/** The wire code and message for anything a handler threw or failed with. */
export function errorToFields(e: unknown): ErrorFields {
  var x = e as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (x && x.name === "CellError" && typeof x.code === "number" && x.code > 0 && x.code < 256) {
    return { code: x.code, message: String(x.message || "") };
  }
  var message = x && typeof x.message === "string" ? x.message : String(e);
  return { code: ErrorCode.HandlerFailed, message: message };
}
