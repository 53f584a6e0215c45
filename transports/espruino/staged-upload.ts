// Putting a boot file onto an Espruino board so that a transfer cut off mid-way leaves the old one
// running: the bytes go to a staging file Espruino never runs at boot (only .bootPowerOn, .boot0-.boot3,
// .bootcde and .bootrst run), are checked there (length and E.CRC32 on the board), then copied into the
// boot file in one REPL line, which is checked in turn, and the staging file is erased.
//
// The copy runs on the board: Storage has no rename. Storage.read gives a string mapped onto flash
// (no RAM for the bundle), but Storage.write keeps a raw pointer to its data while it makes the new
// file, and making it may compact Storage, which moves the staging file under that pointer. So the
// first chunk (the write that makes the file) is copied into RAM first (E.toFlatString); the later
// chunks write into the file that exists (no compaction) from fresh reads of the staging file.
import { crc32, EspruinoRepl, ReplError, UploadOptions } from "./repl";

/** Never run at boot; under Storage's 28-character name limit. */
export const STAGING_FILE = ".cell-staging";

/** Bytes per Storage.write in the on-board copy. */
const COPY_CHUNK = 256;

/** A Storage file's size in flash: its data aligned, plus a 32-byte header (4-byte size, 28-byte name). */
export function storageCost(bytes: number): number {
  return Math.ceil(bytes / 8) * 8 + 32;
}

/** What Storage holds before a flash: free bytes at its end, reclaimable trash, and the old boot file's size (-1: none). */
export interface StorageRoom {
  free: number;
  trash: number;
  old: number;
}

export type UploadMode = "staged" | "direct" | "no-room";

/**
 * Staged when the staging file fits next to the old boot file and the new boot file then fits once the
 * old one is erased (compaction reclaims trash); direct when only the new boot file fits in the old one's
 * place; otherwise there is no room. Unknown room (no getStats) tries staged.
 */
export function chooseMode(size: number, room: StorageRoom | null): UploadMode {
  if (!room) return "staged";
  const need = storageCost(size);
  const old = room.old >= 0 ? storageCost(room.old) : 0;
  const spare = room.free + room.trash;
  if (spare >= need && spare - need + old >= need) return "staged";
  if (spare + old >= need) return "direct";
  return "no-room";
}

/** Erases a staging file an earlier, interrupted flash left, then says how much room Storage has. */
export async function storageRoom(repl: EspruinoRepl, target: string, o: UploadOptions = {}): Promise<StorageRoom | null> {
  const got = await repl.retried(o.attempts || 3, () =>
    repl.evaluate(
      `(function(s,t,f){s.erase(f);if(!s.getStats)return "?";var g=s.getStats(),b=s.read(t);` +
        `return g.freeBytes+","+g.trashBytes+","+(b===undefined?-1:b.length)})(require("Storage"),${JSON.stringify(target)},${JSON.stringify(STAGING_FILE)})`,
      "",
      o.timeoutMs
    )
  );
  const m = /^(\d+),(\d+),(-?\d+)$/.exec(got);
  if (got === "?") return null;
  if (!m) throw new ReplError(`the board answered ${JSON.stringify(got)} when asked how much Storage is free`, repl.output.slice(-2000));
  return { free: Number(m[1]), trash: Number(m[2]), old: Number(m[3]) };
}

/** Compaction rewrites most of Storage: on a full board it may take far longer than a line. */
const COMPACT_MS = 120000;

/**
 * Compacts Storage before the transfer when a file it makes would otherwise compact mid-transfer (a
 * board busy compacting reads no input, and stock 2v29 loses bytes from a backlog). Direct: the old
 * boot file is erased first, as the first chunk would erase it, so the new one fits without compaction.
 */
export async function makeRoom(
  repl: EspruinoRepl,
  target: string,
  mode: UploadMode,
  size: number,
  room: StorageRoom | null,
  o: UploadOptions = {}
): Promise<boolean> {
  if (!room || mode === "no-room") return false;
  const erase = mode === "direct" && room.old >= 0 ? `s.erase(${JSON.stringify(target)});` : "";
  if (!erase && room.free >= storageCost(size)) return false;
  if (!erase && room.trash === 0) return false;
  await repl.retried(o.attempts || 3, () =>
    repl.evaluate(`(function(s){${erase}s.compact();return 1})(require("Storage"))`, "", Math.max(o.timeoutMs || 0, COMPACT_MS))
  );
  return true;
}

/**
 * Copies the verified staging file into `target` on the board, checks `target` (length, E.CRC32), and
 * erases the staging file. Rewriting from offset 0 makes the file again, so a damaged line is retried.
 */
export async function commitStaged(repl: EspruinoRepl, target: string, bytes: Uint8Array, o: UploadOptions = {}): Promise<void> {
  const expected = `${bytes.length},${crc32(bytes)}`;
  const copy =
    `(function(s,f,t){var n=s.read(f).length,c=${COPY_CHUNK},o;s.write(t,E.toFlatString(s.read(f,0,c)),0,n);` +
    `for(o=c;o<n;o+=c)s.write(t,s.read(f,o,c),o,n);var b=s.read(t);return b.length+","+(E.CRC32(b)>>>0)})` +
    `(require("Storage"),${JSON.stringify(STAGING_FILE)},${JSON.stringify(target)})`;
  await repl.retried(o.attempts || 3, async () => {
    // Making the boot file may compact Storage (the old one's place is reclaimed), on the board, within this line.
    const said = await repl.evaluate(copy, "", Math.max(o.timeoutMs || 0, COMPACT_MS));
    if (said !== expected)
      throw new ReplError(`${target} reads back as ${said} after the copy, expected ${expected}`, repl.output.slice(-2000));
  });
  await repl.retried(o.attempts || 3, () => repl.evaluate(`require("Storage").erase(${JSON.stringify(STAGING_FILE)})||1`, "", o.timeoutMs));
}
