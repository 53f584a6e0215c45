// The staged upload against a console whose Storage behaves as Espruino's on flash
// (test/espruino-storage-board.ts). The real Espruino 2v29 runs it in engines/espruino/flash.test.ts.
import { describe, it, expect } from "vitest";
import { chooseMode, commitStaged, makeRoom, storageCost, storageRoom, STAGING_FILE } from "./staged-upload";
import { ReplLostError } from "./repl";
import { storageBoard } from "../../test/espruino-storage-board";

const oldBundle = Uint8Array.from({ length: 500 }, (_, i) => (i * 13 + 1) & 255);
const newBundle = Uint8Array.from({ length: 700 }, (_, i) => (i * 37 + 11) & 255);

/** What cli/flash/espruino-repl.ts does, without the port. */
async function stagedFlash(b: ReturnType<typeof storageBoard>, bytes: Uint8Array) {
  const room = await storageRoom(b.repl, ".boot0", { timeoutMs: 2000 });
  const mode = chooseMode(bytes.length, room);
  await makeRoom(b.repl, ".boot0", mode, bytes.length, room, { timeoutMs: 2000 });
  if (mode === "staged") {
    await b.repl.upload(STAGING_FILE, bytes, { timeoutMs: 2000 });
    await commitStaged(b.repl, ".boot0", bytes, { timeoutMs: 2000 });
  } else if (mode === "direct") await b.repl.upload(".boot0", bytes, { timeoutMs: 2000 });
  return { room, mode };
}

describe("the room a staged upload needs", () => {
  it("stages when Storage holds the staging file next to the old boot file and the new one after it", () => {
    const need = storageCost(700);
    expect(need).toBe(736);
    expect(chooseMode(700, { free: need, trash: 0, old: 700 })).toBe("staged"); // the old one's place takes the new one
    expect(chooseMode(700, { free: 2 * need, trash: 0, old: -1 })).toBe("staged");
    expect(chooseMode(700, { free: need, trash: need, old: -1 })).toBe("staged"); // trash is reclaimed by compaction
    expect(chooseMode(700, { free: 2 * need - 8, trash: 0, old: -1 })).toBe("direct");
    expect(chooseMode(700, { free: need - 8, trash: 0, old: 700 })).toBe("direct"); // fits only where the old one was
    expect(chooseMode(700, { free: need - 8, trash: 0, old: -1 })).toBe("no-room");
    expect(chooseMode(700, null)).toBe("staged"); // a board without getStats
  });
});

describe("a staged upload onto a Storage that refuses rewrites as flash does", () => {
  it("writes the staging file, checks it, copies it into .boot0, checks that, erases the staging file", async () => {
    const b = storageBoard({ files: { ".boot0": oldBundle } });
    const r = await stagedFlash(b, newBundle);
    expect(r.mode).toBe("staged");
    expect(r.room!.old).toBe(500);
    expect(Uint8Array.from(b.files[".boot0"])).toEqual(newBundle);
    expect(b.files[STAGING_FILE]).toBeUndefined();
    // The copy is one line that reads the staging file in chunks, the first copied into RAM before .boot0 is made.
    const copy = b.lines.filter((l) => l.includes("toFlatString"));
    expect(copy).toHaveLength(1);
  });

  it("a transfer cut mid-way leaves the old .boot0 whole; the next flash erases the stale staging file and installs the new one", async () => {
    const b = storageBoard({ files: { ".boot0": oldBundle } });
    b.loseAfterLine(3); // room, first two chunks, then the stream goes away
    const err = await stagedFlash(b, newBundle).catch((e) => e);
    expect(err).toBeInstanceOf(ReplLostError);
    expect(Uint8Array.from(b.files[".boot0"])).toEqual(oldBundle);
    expect(b.files[STAGING_FILE]).toHaveLength(700); // partly written
    expect(b.files[STAGING_FILE].slice(512).every((x) => x === 255)).toBe(true);

    const again = storageBoard({ files: { ".boot0": oldBundle, [STAGING_FILE]: Uint8Array.from(b.files[STAGING_FILE]) } });
    const room = await storageRoom(again.repl, ".boot0", { timeoutMs: 2000 });
    expect(again.files[STAGING_FILE]).toBeUndefined(); // erased before anything is written
    expect(room!.trash).toBe(storageCost(700));
    await again.repl.upload(STAGING_FILE, newBundle, { timeoutMs: 2000 });
    await commitStaged(again.repl, ".boot0", newBundle, { timeoutMs: 2000 });
    expect(Uint8Array.from(again.files[".boot0"])).toEqual(newBundle);
  });

  it("copies again when the copy line arrives damaged", async () => {
    let copies = 0;
    const b = storageBoard({ files: { ".boot0": oldBundle }, damage: (line) => line.includes("toFlatString") && ++copies === 1 });
    await stagedFlash(b, newBundle);
    expect(copies).toBe(2);
    expect(Uint8Array.from(b.files[".boot0"])).toEqual(newBundle);
    expect(b.files[STAGING_FILE]).toBeUndefined();
  });

  it("copies with compaction: Storage full of trash still takes the new .boot0", async () => {
    const capacity = storageCost(500) + 2 * storageCost(700) + 64;
    const b = storageBoard({ capacity, files: { ".boot0": oldBundle, junk: new Uint8Array(600) } });
    await b.repl.evaluate(`require("Storage").erase("junk")||1`);
    const r = await stagedFlash(b, newBundle);
    expect(r.mode).toBe("staged");
    expect(Uint8Array.from(b.files[".boot0"])).toEqual(newBundle);
  });

  it("compacts before the transfer when the staging file fits only in reclaimed trash", async () => {
    const capacity = storageCost(500) + storageCost(2000) + 16;
    const b = storageBoard({ capacity, files: { ".boot0": oldBundle, junk: new Uint8Array(2000) } });
    await b.repl.evaluate(`require("Storage").erase("junk")||1`);
    const r = await stagedFlash(b, newBundle);
    expect(r.mode).toBe("staged");
    expect(b.lines[2]).toContain("s.compact()"); // after the erase of junk and the question
    expect(Uint8Array.from(b.files[".boot0"])).toEqual(newBundle);
  });

  it("writes .boot0 directly when Storage has room for the bundle only once", async () => {
    const capacity = storageCost(500) + storageCost(700) - 8 + 200;
    const b = storageBoard({ capacity, files: { ".boot0": oldBundle } });
    const r = await stagedFlash(b, newBundle);
    expect(r.mode).toBe("direct");
    expect(Uint8Array.from(b.files[".boot0"])).toEqual(newBundle);
    // The old .boot0 was erased and Storage compacted before the first chunk, so no write compacts mid-transfer.
    expect(b.lines.findIndex((l) => l.includes('erase(".boot0");s.compact()'))).toBe(1);
    expect(b.lines.some((l) => l.includes(`write(".cell-staging"`))).toBe(false);
  });

  it("says there is no room, and writes nothing, when the bundle does not fit at all", async () => {
    const b = storageBoard({ capacity: storageCost(500) + 100, files: { ".boot0": oldBundle } });
    const r = await stagedFlash(b, newBundle);
    expect(r.mode).toBe("no-room");
    expect(Uint8Array.from(b.files[".boot0"])).toEqual(oldBundle);
  });
});
