// The ANNOUNCE payload (codec RAW; header cellId 0, methodId 0, requestId 0):
//   u32 instanceId, u32 ttlMs, u8 count, then per cell: u32 cellId, u32 schemaHash, u8 nameLength, name (UTF-8)
// With the header flag AnnounceMaxFrame (only in answer to a query, rpc.md §8.1): then u32 maxFrame.
import { Writer } from "../codec";
import { readU32, writeU32 } from "../header";
import { fnv1a32String } from "../fnv";
import { utf8Length, utf8Write, utf8Decode } from "../utf8";

export interface AnnouncedCell {
  name: string;
  /** FNV-1a-32 of the name: checked on decode. */
  cellId: number;
  /** FNV-1a-32 of the canonical schema text: two instances with equal hashes serve the same interface. */
  schemaHash: number;
}

export interface Announcement {
  instanceId: number;
  /** How long the listing stays true without being repeated; 0 says "gone now". */
  ttlMs: number;
  cells: AnnouncedCell[];
  /** The largest frame the instance takes on this link: sent (flag AnnounceMaxFrame) only in answer to a query. */
  maxFrame?: number;
}

var CELL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
var MAX_U32 = 0xffffffff;

function isU32(v: number): boolean {
  return typeof v === "number" && v >= 0 && v <= MAX_U32 && Math.floor(v) === v;
}

/** Bytes the payload of `a` takes; throws RangeError when `a` cannot be announced. */
export function announceLength(a: Announcement): number {
  if (!isU32(a.instanceId) || !isU32(a.ttlMs)) throw new RangeError("announce: instanceId and ttlMs are u32");
  if (a.cells.length > 255) throw new RangeError("announce: at most 255 cells per instance");
  var n = 9;
  for (var i = 0; i < a.cells.length; i++) {
    var c = a.cells[i];
    var len = utf8Length(c.name);
    if (len === 0 || len > 255 || !CELL_NAME.test(c.name)) throw new RangeError("announce: bad cell name " + JSON.stringify(c.name));
    if (!isU32(c.schemaHash) || c.cellId !== fnv1a32String(c.name)) throw new RangeError("announce: bad ids for cell " + c.name);
    n += 9 + len;
  }
  if (a.maxFrame !== undefined && !isU32(a.maxFrame)) throw new RangeError("announce: maxFrame is u32");
  return a.maxFrame !== undefined ? n + 4 : n;
}

export function writeAnnounce(w: Writer, a: Announcement): void {
  w.ensure(announceLength(a));
  var b = w.buf;
  var p = w.pos;
  writeU32(b, p, a.instanceId);
  writeU32(b, p + 4, a.ttlMs);
  b[p + 8] = a.cells.length;
  p += 9;
  for (var i = 0; i < a.cells.length; i++) {
    var c = a.cells[i];
    writeU32(b, p, c.cellId);
    writeU32(b, p + 4, c.schemaHash);
    var end = utf8Write(c.name, b, p + 9);
    b[p + 8] = end - p - 9;
    p = end;
  }
  if (a.maxFrame !== undefined) {
    writeU32(b, p, a.maxFrame);
    p += 4;
  }
  w.pos = p;
}

/**
 * Reads an ANNOUNCE payload (ending with u32 maxFrame when the header has the flag AnnounceMaxFrame);
 * null when it is malformed in any way (the endpoint counts BadAnnounce).
 */
export function decodeAnnounce(whole: Uint8Array, withMaxFrame?: boolean): Announcement | null {
  if (whole.length < (withMaxFrame ? 13 : 9)) return null;
  var b = withMaxFrame ? whole.subarray(0, whole.length - 4) : whole;
  var count = b[8];
  var cells: AnnouncedCell[] = [];
  var seen: { [cellId: string]: boolean } = {};
  var p = 9;
  for (var i = 0; i < count; i++) {
    if (p + 9 > b.length) return null;
    var len = b[p + 8];
    if (len === 0 || p + 9 + len > b.length) return null;
    var cellId = readU32(b, p);
    var name = utf8Decode(b, p + 9, p + 9 + len);
    // The id is the name's hash: a mismatch is corruption (or a liar), never a cell to list.
    if (!CELL_NAME.test(name) || fnv1a32String(name) !== cellId || seen[cellId]) return null;
    seen[cellId] = true;
    cells.push({ name: name, cellId: cellId, schemaHash: readU32(b, p + 4) });
    p += 9 + len;
  }
  if (p !== b.length) return null;
  var a: Announcement = { instanceId: readU32(b, 0), ttlMs: readU32(b, 4), cells: cells };
  if (withMaxFrame) a.maxFrame = readU32(whole, p);
  return a;
}

/** The payload of `a` as new bytes (for tools and tests; announce() builds its frame once). */
export function encodeAnnounce(a: Announcement): Uint8Array {
  var n = announceLength(a);
  var w = new Writer(n, n);
  writeAnnounce(w, a);
  return w.buf;
}
