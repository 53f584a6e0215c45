// Just enough DER (ASN.1) to write a self-signed X.509 certificate: node:crypto makes and signs keys
// but has no certificate builder (bench/quic-matrix-tls.ts makes one for @matrixai/quic).

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = lengthBytes(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const sequence = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, concat(parts));
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, concat(parts));
/** A context-specific, constructed, explicit tag: [n] { ... }. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);
export const utf8String = (text: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(text));
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(0x03, concat([new Uint8Array([0]), bytes]));

/** A non-negative INTEGER from big-endian bytes (a leading 0 keeps it positive). */
export function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const body = bytes.subarray(start);
  return tlv(0x02, body[0] & 0x80 ? concat([new Uint8Array([0]), body]) : body);
}

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const groups: number[] = [];
    for (let v = part; ; v = Math.floor(v / 128)) {
      groups.unshift(v & 0x7f);
      if (v < 128) break;
    }
    for (let i = 0; i < groups.length - 1; i++) groups[i] |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, new Uint8Array(out));
}

/** UTCTime until 2049, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // 2025-01-31T12:34:56.789Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z"; // 20250131123456Z
  const year = date.getUTCFullYear();
  const text = year < 2050 ? digits.slice(2) : digits;
  return tlv(year < 2050 ? 0x17 : 0x18, new TextEncoder().encode(text));
}
