// spec/vectors/signing.json checked with node:crypto: the keys from their seeds, the statement laid out
// byte by byte as spec/signing.md §2 says, the signature, and each check's answer. The device side
// checks the same file with Monocypher.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createHash, createPublicKey, sign, verify } from "node:crypto";
import { privateKeyFromSeed, rawPublicKey, keyId } from "./keys";
import { decodeStatement, encodeStatement, versionNumber, versionText } from "./statement";
import { decodeSignatureFile } from "./signature-file";
import { signRelease, verifyRelease } from "./release";
import { TrustError } from "./errors";

interface Vectors {
  keys: { name: string; seed: string; publicKey: string; keyId: string }[];
  releases: {
    name: string;
    key: string;
    bundle: string;
    fields: {
      bundleSha256: string;
      bundleLength: number;
      versionText: string;
      version: number;
      signedAt: number;
      board: string;
      cells: { name: string; id: string; schemaHash: string }[];
    };
    statement: string;
    signature: string;
    cellsig: string;
  }[];
  checks: {
    name: string;
    cellsig: string;
    bundle: string;
    trusted: string[];
    board: string;
    runningVersion: number | null;
    expect: string;
  }[];
}

const V = JSON.parse(readFileSync(new URL("../spec/vectors/signing.json", import.meta.url), "utf8")) as Vectors;
const bytes = (hex: string) => Buffer.from(hex, "hex");
const keyNamed = (name: string) => V.keys.find((k) => k.name === name)!;

describe("signing vectors (node:crypto)", () => {
  it("derives each key's public key and key id from its seed", () => {
    // RFC 8032 §7.1 TEST 1's public key: an anchor outside this project.
    expect(keyNamed("rfc8032-test1").publicKey).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    for (const k of V.keys) {
      const pub = rawPublicKey(privateKeyFromSeed(bytes(k.seed)));
      expect(Buffer.from(pub).toString("hex")).toBe(k.publicKey);
      expect(createHash("sha256").update(pub).digest("hex").slice(0, 16)).toBe(k.keyId);
      expect(keyId(pub)).toBe(k.keyId);
    }
  });

  for (const r of V.releases) {
    it(`lays out the statement of "${r.name}" as §2 says`, () => {
      const s = bytes(r.statement);
      const f = r.fields;
      expect(s.toString("latin1", 0, 8)).toBe("CELLREL1");
      expect(createHash("sha256").update(bytes(r.bundle)).digest("hex")).toBe(f.bundleSha256);
      expect(s.subarray(8, 40).toString("hex")).toBe(f.bundleSha256);
      expect(s.readUInt32LE(40)).toBe(bytes(r.bundle).length);
      expect(s.readUInt32LE(40)).toBe(f.bundleLength);
      expect(s.readUInt32LE(44)).toBe(f.version);
      const [major, minor, patch] = f.versionText.split(".").map(Number);
      expect(f.version).toBe(major * 1000000 + minor * 1000 + patch);
      expect(Number(s.readBigUInt64LE(48))).toBe(f.signedAt);
      expect(s[56]).toBe(f.board.length);
      expect(s.toString("latin1", 57, 57 + f.board.length)).toBe(f.board);
      const at = 57 + f.board.length;
      expect(s[at]).toBe(f.cells.length);
      f.cells.forEach((c, i) => {
        expect(s.readUInt32LE(at + 1 + 8 * i)).toBe(Number(c.id));
        expect(s.readUInt32LE(at + 5 + 8 * i)).toBe(Number(c.schemaHash));
      });
      expect(s.length).toBe(58 + f.board.length + 8 * f.cells.length);
    });

    it(`signs and verifies "${r.name}" with node:crypto`, () => {
      const k = keyNamed(r.key);
      const priv = privateKeyFromSeed(bytes(k.seed));
      expect(sign(null, bytes(r.statement), priv).toString("hex")).toBe(r.signature); // Ed25519 is deterministic
      expect(verify(null, bytes(r.statement), createPublicKey(priv), bytes(r.signature))).toBe(true);
      expect(r.cellsig).toBe(r.statement + r.signature + k.publicKey);
    });

    it(`encodes and decodes "${r.name}" with trust/`, () => {
      const f = r.fields;
      const fields = {
        bundleSha256: bytes(f.bundleSha256),
        bundleLength: f.bundleLength,
        version: versionNumber(f.versionText),
        signedAt: f.signedAt,
        board: f.board,
        cells: f.cells.map((c) => ({ id: Number(c.id), schemaHash: Number(c.schemaHash) }))
      };
      expect(Buffer.from(encodeStatement(fields)).toString("hex")).toBe(r.statement);
      const back = decodeStatement(bytes(r.statement));
      expect({ ...back, bundleSha256: Buffer.from(back.bundleSha256).toString("hex") }).toEqual({
        ...fields,
        bundleSha256: f.bundleSha256
      });
      expect(versionText(back.version)).toBe(f.versionText);
      const file = signRelease(bytes(r.bundle), { ...fields }, privateKeyFromSeed(bytes(keyNamed(r.key).seed)));
      expect(Buffer.from(file).toString("hex")).toBe(r.cellsig);
      const parts = decodeSignatureFile(file);
      expect(Buffer.from(parts.signature).toString("hex")).toBe(r.signature);
    });
  }

  for (const c of V.checks) {
    it(`check "${c.name}" answers ${c.expect}`, () => {
      const run = () =>
        verifyRelease(bytes(c.cellsig), bytes(c.bundle), {
          trusted: c.trusted.map((n) => bytes(keyNamed(n).publicKey)),
          board: c.board,
          runningVersion: c.runningVersion ?? undefined
        });
      if (c.expect === "ok") {
        expect(run().keyId).toMatch(/^[0-9a-f]{16}$/);
      } else {
        let error: unknown;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TrustError);
        expect((error as TrustError).code).toBe(c.expect);
        expect((error as TrustError).name).toBe("TrustError");
      }
    });
  }
});
