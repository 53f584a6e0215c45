import { utf8Encode } from "./utf8";

/** FNV-1a, 32 bit, over bytes. Multiplication by the FNV prime is done with shifts: ES5 has no Math.imul. */
export function fnv1a32(bytes: Uint8Array): number {
  var h = 0x811c9dc5;
  for (var i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) >>> 0;
  }
  return h >>> 0;
}

/** FNV-1a-32 of a string's UTF-8 bytes: how cell ids and method ids are made. */
export function fnv1a32String(text: string): number {
  return fnv1a32(utf8Encode(text));
}
