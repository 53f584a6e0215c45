// spec/vectors/messages.json checked both ways: fields → bytes and bytes → fields.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { Writer } from "../core/codec";
import { HEADER_SIZE, Kind, CodecId, newHeader, encodeHeader } from "../core/header";
import { writeErrorPayload, readErrorPayload, errorFromPayload, clipUtf8 } from "../core/rpc/error-payload";
import { encodeAnnounce, decodeAnnounce } from "../core/rpc/announce-payload";
import { announceFrame } from "../core/rpc/announce";
import { readDeadline, writeDeadline } from "../core/rpc/deadline";
import { ErrorCode } from "../core/errors";

const vectors = JSON.parse(readFileSync(new URL("../spec/vectors/messages.json", import.meta.url), "utf8"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

describe("ERROR payload vectors", () => {
  for (const v of vectors.error.valid) {
    it(v.name, () => {
      const w = new Writer();
      writeErrorPayload(w, v.code, v.message);
      expect(hex(w.view())).toBe(v.hex);
      expect(readErrorPayload(bytes(v.hex))).toEqual({ code: v.code, message: v.message });
      const e = errorFromPayload(bytes(v.hex));
      expect(e.code).toBe(v.code);
    });
  }
  for (const v of vectors.error.invalid) {
    it("rejects: " + v.name, () => {
      expect(readErrorPayload(bytes(v.hex))).toBeNull();
      expect(errorFromPayload(bytes(v.hex)).code).toBe(ErrorCode.BadPayload);
    });
  }
});

describe("ANNOUNCE payload vectors", () => {
  for (const v of vectors.announce.valid) {
    it(v.name, () => {
      const u32 = (s: string) => parseInt(s, 16);
      const cells = v.cells.map((c: { name: string; cellId: string; schemaHash: string }) => ({
        name: c.name,
        cellId: u32(c.cellId),
        schemaHash: u32(c.schemaHash)
      }));
      const fields = { instanceId: u32(v.instanceId), ttlMs: v.ttlMs, cells };
      expect(hex(encodeAnnounce(fields))).toBe(v.hex);
      expect(decodeAnnounce(bytes(v.hex))).toEqual(fields);
      const h = newHeader();
      h.kind = Kind.Announce;
      h.codec = CodecId.Raw;
      h.length = v.hex.length / 2;
      const head = new Uint8Array(HEADER_SIZE);
      encodeHeader(h, head, 0);
      expect(hex(head) + v.hex).toBe(v.frame);
    });
  }
  for (const v of vectors.announce.invalid) {
    it("rejects: " + v.name, () => {
      expect(decodeAnnounce(bytes(v.hex))).toBeNull();
    });
  }
});

describe("ANNOUNCE query and maxFrame vectors (rpc.md §8.1)", () => {
  const u32 = (s: string) => parseInt(s, 16);
  it(vectors.announce.query.name, () => {
    const f = bytes(vectors.announce.query.frame);
    expect(f.length).toBe(HEADER_SIZE);
    expect(hex(announceFrame({ instanceId: 1, ttlMs: 1, cells: [] }).subarray(0, 4))).toBe(vectors.announce.query.frame.slice(0, 8));
  });
  for (const v of vectors.announce.withMaxFrame) {
    it(v.name, () => {
      const cells = v.cells.map((c: { name: string; cellId: string; schemaHash: string }) => ({
        name: c.name,
        cellId: u32(c.cellId),
        schemaHash: u32(c.schemaHash)
      }));
      const fields = { instanceId: u32(v.instanceId), ttlMs: v.ttlMs, cells, maxFrame: v.maxFrame };
      expect(hex(encodeAnnounce(fields))).toBe(v.hex);
      expect(decodeAnnounce(bytes(v.hex), true)).toEqual(fields);
      expect(hex(announceFrame(fields))).toBe(v.frame);
      // A receiver that does not read the flag sees bytes after the last entry: BadAnnounce, never a wrong listing.
      expect(decodeAnnounce(bytes(v.hex))).toBeNull();
    });
  }
  for (const v of vectors.announce.withMaxFrameInvalid) {
    it("rejects: " + v.name, () => {
      expect(decodeAnnounce(bytes(v.hex), true)).toBeNull();
    });
  }
});

describe("REQUEST deadline vectors (rpc.md §2.1)", () => {
  for (const v of vectors.deadline.valid) {
    it(v.name, () => {
      const w = new Writer();
      writeDeadline(w, v.deadlineMs);
      expect(hex(w.view())).toBe(v.varint);
      const f = bytes(v.frame);
      expect(f[2] >> 4).toBe(1);
      const payload = f.subarray(HEADER_SIZE);
      const d = readDeadline(payload)!;
      expect(d).toEqual([v.deadlineMs, v.varint.length / 2]);
      expect(hex(payload.subarray(d[1]))).toBe(v.value);
    });
  }
  for (const v of vectors.deadline.invalid) {
    it("rejects: " + v.name, () => {
      expect(readDeadline(bytes(v.payload))).toBeNull();
    });
  }
});

describe("ERROR messages", () => {
  it("are clipped to whole UTF-8 characters", () => {
    expect(clipUtf8("abc", 10)).toBe("abc");
    expect(clipUtf8("abcdef", 4)).toBe("abcd");
    expect(clipUtf8("ééé", 5)).toBe("éé");
    expect(clipUtf8("a😀b", 4)).toBe("a"); // the pair does not fit after "a": no half is kept
    expect(clipUtf8("😀😀", 4)).toBe("😀");
    expect(clipUtf8("€".repeat(500), 240)).toBe("€".repeat(80));
    const w = new Writer();
    writeErrorPayload(w, 4, "x".repeat(1000), 10);
    expect(w.view().length).toBe(11);
  });
});
