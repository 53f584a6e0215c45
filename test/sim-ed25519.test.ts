// Monocypher 4.0.2's Ed25519 (the C the QEMU loaders link to check signed releases: sim/firmware/release.c),
// compiled for the host from the vendored archive and given spec/vectors/signing.json as data: every
// release's statement, signature and public key verify, any flipped byte does not, and Monocypher derives
// the same public key and signature from each seed (Ed25519 is deterministic). Nothing here signs with the
// host's code: the vectors are the contract both sides meet.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { monocypherSources } from "../sim/build.mjs";
import { vendored } from "../engines/vendor";

var OUT = join(__dirname, "../sim/build/host");
var BIN = join(OUT, "ed25519_test");

interface Vectors {
  keys: { name: string; seed: string; publicKey: string }[];
  releases: { name: string; key: string; statement: string; signature: string; cellsig: string }[];
  checks: { name: string; cellsig: string; expect: string }[];
}
var V = JSON.parse(readFileSync(join(__dirname, "../spec/vectors/signing.json"), "utf8")) as Vectors;

/** Runs one command per line through the C program; its answer lines. */
function inC(lines: string[]): string[] {
  return execFileSync(BIN, [], { input: lines.join("\n") + "\n", maxBuffer: 1 << 24 })
    .toString()
    .trim()
    .split("\n");
}

/** `hex` with byte `at` xor-ed with 0x01. */
function flipped(hex: string, at: number): string {
  var b = Buffer.from(hex, "hex");
  b[at] ^= 0x01;
  return b.toString("hex");
}

/** A .cellsig taken apart as spec/signing.md §3 says (S = 58 + B + 8×C), or null if its length is not that. */
function split(cellsig: string): { statement: string; signature: string; publicKey: string } | null {
  var f = Buffer.from(cellsig, "hex");
  if (f.length < 58 + 96 || f.length < 58 + f[56]) return null;
  var s = 58 + f[56] + 8 * f[57 + f[56]];
  if (f.length !== s + 96) return null;
  var hex = (a: number, b: number) => f.subarray(a, b).toString("hex");
  return { statement: hex(0, s), signature: hex(s, s + 64), publicKey: hex(s + 64, s + 96) };
}

// RFC 8032 §7.1, TEST 1 (an empty message): an anchor outside this project.
var RFC_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
var RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
var RFC_SIGNATURE =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

describe("Monocypher Ed25519 (as the QEMU loaders link it) against spec/vectors/signing.json", () => {
  beforeAll(() => {
    mkdirSync(OUT, { recursive: true });
    var src = monocypherSources(vendored("monocypher"));
    var sources = [
      join(__dirname, "../sim/firmware/host-test/ed25519_test.c"),
      join(src, "monocypher.c"),
      join(src, "optional/monocypher-ed25519.c")
    ];
    execFileSync("cc", ["-std=c99", "-O2", "-I" + src, "-I" + join(src, "optional"), ...sources, "-o", BIN]);
  }, 60000);

  it("RFC 8032 test 1: Monocypher gives the RFC's public key and signature", () => {
    expect(inC([`sign ${RFC_SEED} -`, `check ${RFC_PUBLIC} ${RFC_SIGNATURE} -`])).toEqual([`${RFC_PUBLIC} ${RFC_SIGNATURE}`, "ok"]);
  });

  it("has releases to check", () => {
    expect(V.releases.length).toBeGreaterThanOrEqual(3);
  });

  for (var r of V.releases) {
    const release = r;
    it(`verifies "${release.name}" (statement, signature and key from its .cellsig), and no flipped byte`, () => {
      var parts = split(release.cellsig)!;
      expect(parts).toEqual({
        statement: release.statement,
        signature: release.signature,
        publicKey: V.keys.find((k) => k.name === release.key)!.publicKey
      });
      var { statement, signature, publicKey } = parts;
      expect(inC([`check ${publicKey} ${signature} ${statement}`])).toEqual(["ok"]);
      var lines: string[] = [];
      for (var i = 0; i < statement.length / 2; i++) lines.push(`check ${publicKey} ${signature} ${flipped(statement, i)}`);
      for (var j = 0; j < 64; j++) lines.push(`check ${publicKey} ${flipped(signature, j)} ${statement}`);
      for (var k = 0; k < 32; k++) lines.push(`check ${flipped(publicKey, k)} ${signature} ${statement}`);
      var answers = inC(lines);
      expect(answers.length).toBe(lines.length);
      expect(answers.filter((a) => a !== "bad")).toEqual([]);
    });

    it(`derives "${release.name}"'s key and signature from the seed as node:crypto did`, () => {
      var key = V.keys.find((k) => k.name === release.key)!;
      expect(inC([`sign ${key.seed} ${release.statement}`])).toEqual([`${key.publicKey} ${release.signature}`]);
    });
  }

  it("agrees with every check whose answer turns on the signature (§4.3): SignatureInvalid is bad, later checks are ok", () => {
    // Malformed files and untrusted signers are refused before the signature is looked at.
    var cases = V.checks.filter((c) => c.expect !== "SignatureMalformed" && c.expect !== "SignerUntrusted");
    expect(cases.map((c) => c.expect)).toEqual(
      expect.arrayContaining(["ok", "SignatureInvalid", "BundleTampered", "WrongBoard", "Rollback"])
    );
    var lines = cases.map((c) => {
      var p = split(c.cellsig)!;
      return `check ${p.publicKey} ${p.signature} ${p.statement}`;
    });
    expect(inC(lines)).toEqual(cases.map((c) => (c.expect === "SignatureInvalid" ? "bad" : "ok")));
  });
});
