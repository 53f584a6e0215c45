// spec/vectors/messages.json checked both ways: fields → bytes and bytes → fields.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { Writer } from "../core/codec";
import { HEADER_SIZE, Kind, CodecId, newHeader, encodeHeader } from "../core/header";
import { writeErrorPayload, readErrorPayload, errorFromPayload, clipUtf8 } from "../core/rpc/error-payload";
import { encodeAnnounce, decodeAnnounce } from "../core/rpc/announce-payload";
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
      const cells = v.cells.map((c: { name: string; cellId: string; schemaHash: string }) => ({ name: c.name, cellId: u32(c.cellId), schemaHash: u32(c.schemaHash) }));
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
