// Why an ERROR or ANNOUNCE payload is malformed, in words: core's readers only say "null" (a device
// counts the drop), but a person reading a capture needs the reason.
import { readU32 } from "../../core/header";
import { fnv1a32String } from "../../core/fnv";
import { utf8Decode } from "../../core/utf8";
import { hexId } from "../../core/hex";

/** The layout of spec/wire-format.md: u8 code (1..255), then the message as UTF-8. */
export function errorProblem(p: Uint8Array): string {
  if (p.length === 0) return "ERROR payload is empty (it needs a code byte)";
  if (p[0] === 0) return "ERROR payload has code 0 (codes are 1..255)";
  return "ERROR payload is malformed";
}

/** u32 instanceId, u32 ttlMs, u8 count, then per cell: u32 cellId, u32 schemaHash, u8 nameLength, name. */
export function announceProblem(p: Uint8Array): string {
  if (p.length < 9) return `ANNOUNCE payload has ${p.length} bytes; it needs at least 9 (instance id, TTL, count)`;
  const count = p[8];
  const seen: Record<number, boolean> = {};
  let at = 9;
  for (let i = 0; i < count; i++) {
    if (at + 9 > p.length) return `ANNOUNCE says ${count} cells but ends inside cell ${i + 1}`;
    const len = p[at + 8];
    if (len === 0) return `ANNOUNCE cell ${i + 1} has an empty name`;
    if (at + 9 + len > p.length) return `ANNOUNCE cell ${i + 1}: name of ${len} bytes runs past the payload`;
    const id = readU32(p, at);
    const name = utf8Decode(p, at + 9, at + 9 + len);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) return `ANNOUNCE cell ${i + 1}: ${JSON.stringify(name)} is not a cell name`;
    if (fnv1a32String(name) !== id)
      return `ANNOUNCE cell ${i + 1}: id ${hexId(id)} is not the hash of ${JSON.stringify(name)} (${hexId(fnv1a32String(name))})`;
    if (seen[id]) return `ANNOUNCE lists cell ${name} twice`;
    seen[id] = true;
    at += 9 + len;
  }
  if (at !== p.length) return `ANNOUNCE has ${p.length - at} bytes after its ${count} cells`;
  return "ANNOUNCE payload is malformed";
}
