import { describe, it, expect } from "vitest";
import { randomBytes } from "node:crypto";
import { utf8Encode } from "../core/utf8";
import { loaderClient, writeChunkSize, FlashError, FlashProgress } from "./loader-client";
import { fakeBoard } from "./fake-loader";

describe("loader client (against an in-memory loader)", () => {
  it("sizes write chunks so header + offset + length + data fit the frame", () => {
    expect(writeChunkSize(1024)).toBe(997); // spec/loader.md: 1024 - 20 - 5 - 2
    expect(writeChunkSize(100)).toBe(74);
    expect(() => writeChunkSize(26)).toThrow(RangeError);
  });

  it("writes a bundle in frame-sized chunks, commits it, and returns the running status", async () => {
    var board = fakeBoard(1024);
    var bundle = new Uint8Array(randomBytes(5000));
    var progress: FlashProgress[] = [];
    var status = await loaderClient(board.host).flash(bundle, { onProgress: (p) => progress.push(p) });
    expect(Array.from(board.stored()!)).toEqual(Array.from(bundle));
    expect(board.writes.length).toBe(Math.ceil(5000 / 997));
    expect(Math.max(...board.writes)).toBe(997);
    expect(status).toMatchObject({ running: true, bundleSize: 5000 });
    expect(progress.filter((p) => p.phase === "write").map((p) => p.done)).toEqual([997, 1994, 2991, 3988, 4985, 5000]);
    expect(progress.slice(-2).map((p) => p.phase)).toEqual(["commit", "start"]);
  });

  it("uses the smaller of the link's and the given maxFrame", async () => {
    var board = fakeBoard(1024);
    await loaderClient(board.host).flash(new Uint8Array(300), { maxFrame: 128, window: 1 });
    expect(Math.max(...board.writes)).toBe(writeChunkSize(128));
  });

  it("reports a transfer the board's digest check refuses, keeping the old bundle", async () => {
    var board = fakeBoard();
    var loader = loaderClient(board.host);
    await loader.flash(utf8Encode("good"));
    board.corrupt = true;
    var e = await loader.flash(utf8Encode("damaged on the way")).catch((x) => x);
    expect(e).toBeInstanceOf(FlashError);
    expect(e.message).toMatch(/the board refused the bundle: .*crc32 mismatch/);
    expect(Array.from(board.stored()!)).toEqual(Array.from(utf8Encode("good")));
  });

  it("reports a stored bundle that does not run, with the board's lastError and status", async () => {
    var board = fakeBoard();
    var e = await loaderClient(board.host)
      .flash(utf8Encode("throw 1"))
      .catch((x) => x);
    expect(e).toBeInstanceOf(FlashError);
    expect(e.message).toBe("the bundle was stored but does not run: bundle threw at start: Error: boom");
    expect(e.status).toMatchObject({ running: false, bundleSize: 7 });
  });

  it("sends the signature file and force with commitSigned, and a plain commit without one", async () => {
    var board = fakeBoard();
    var loader = loaderClient(board.host);
    await loader.flash(utf8Encode("unsigned"));
    expect(board.lastSigned).toBe(null);
    var signature = new Uint8Array(randomBytes(170));
    await loader.flash(utf8Encode("signed"), { signature, force: true });
    expect(Array.from(board.lastSigned!.signature)).toEqual(Array.from(signature));
    expect(board.lastSigned!.force).toBe(true);
    await loader.flash(utf8Encode("signed again"), { signature });
    expect(board.lastSigned!.force).toBe(false);
  });

  it("names the spec/signing.md refusal a board with a key answers, and keeps the old bundle", async () => {
    var board = fakeBoard();
    var loader = loaderClient(board.host);
    await loader.flash(utf8Encode("v2"), { signature: new Uint8Array(170) });
    board.refuseSigned = "Rollback: version 1000000 is lower than the running release's 1001000 (force it to go back)";
    var e = await loader.flash(utf8Encode("v1"), { signature: new Uint8Array(170) }).catch((x) => x);
    expect(e).toBeInstanceOf(FlashError);
    expect(e.refusal).toBe("Rollback");
    expect(e.message).toBe("the board refused the bundle: " + board.refuseSigned);
    expect(Array.from(board.stored()!)).toEqual(Array.from(utf8Encode("v2")));
    board.refuseSigned = "sha256 mismatch";
    expect((await loader.flash(utf8Encode("v3"), { signature: new Uint8Array(170) }).catch((x) => x)).refusal).toBe(undefined);
  });

  it("refuses an empty bundle without sending anything", async () => {
    var board = fakeBoard();
    await expect(loaderClient(board.host).flash(new Uint8Array(0))).rejects.toThrow(/empty bundle/);
    expect(board.writes).toEqual([]);
  });
});
