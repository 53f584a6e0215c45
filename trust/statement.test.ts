import { describe, expect, it } from "vitest";
import { decodeStatement, encodeStatement, versionNumber, versionText } from "./statement";
import { decodeSignatureFile } from "./signature-file";
import { TrustError } from "./errors";
import { verifyRelease } from "./release";

const sample = { bundleSha256: new Uint8Array(32).fill(7), bundleLength: 5, version: 1, signedAt: 2 ** 40, board: "esp32", cells: [] };

describe("release statement", () => {
  it("reads versions as major*1000000 + minor*1000 + patch", () => {
    expect(versionNumber("1.2.3")).toBe(1002003);
    expect(versionNumber("v0.10.0-beta.1")).toBe(10000);
    expect(versionText(4002001)).toBe("4.2.1");
    expect(() => versionNumber("1.2")).toThrow(/not x.y.z/);
    expect(() => versionNumber("1.1000.0")).toThrow(/below 1000/);
    expect(() => versionNumber("5000.0.0")).toThrow(/u32/);
  });

  it("keeps a signing time past 2038 (u64)", () => {
    expect(decodeStatement(encodeStatement(sample)).signedAt).toBe(2 ** 40);
  });

  it("refuses to write what a verifier would call malformed", () => {
    expect(() => encodeStatement({ ...sample, board: "" })).toThrow(/1..63/);
    expect(() => encodeStatement({ ...sample, board: "x".repeat(64) })).toThrow(/1..63/);
    expect(() => encodeStatement({ ...sample, cells: Array(33).fill({ id: 1, schemaHash: 2 }) })).toThrow(/at most 32/);
    expect(() => encodeStatement({ ...sample, bundleSha256: new Uint8Array(31) })).toThrow(/32 bytes/);
  });

  it("calls garbage SignatureMalformed, never crashes", () => {
    const good = encodeStatement(sample);
    for (let n = 0; n < good.length + 100; n++) {
      const junk = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      if (n >= 8) junk.set(good.subarray(0, 8));
      for (const decode of [decodeStatement, decodeSignatureFile]) {
        try {
          decode(junk);
        } catch (e) {
          expect((e as TrustError).code).toBe("SignatureMalformed");
        }
      }
      expect(() => verifyRelease(junk, new Uint8Array(0), { trusted: [], board: "esp32" })).toThrow(TrustError);
    }
  });
});
