// Monocypher 4.0.2's Ed25519 (the C the QEMU loaders link to check signed releases: sim/firmware/release.c),
// compiled for the host from the vendored archive and checked against node:crypto: RFC 8032's first test
// vector, and release statements (spec/signing.md §2) signed with fixed seeds. Both sides are deterministic,
// so Monocypher must derive the same public key and the same signature from a seed as node:crypto.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { monocypherSources } from "../sim/build.mjs";
import { vendored } from "../engines/vendor";
import { keyFromSeed, rawPublicKey, releaseStatement, signatureFile, seed } from "../sim/signed-release";

var OUT = join(__dirname, "../sim/build/host");
var BIN = join(OUT, "ed25519_test");
var hex = (b: Uint8Array) => Buffer.from(b).toString("hex") || "-";

/** Runs one command per line through the C program; its answer lines. */
function inC(lines: string[]): string[] {
  return execFileSync(BIN, [], { input: lines.join("\n") + "\n" })
    .toString()
    .trim()
    .split("\n");
}

// RFC 8032 §7.1, TEST 1 (an empty message).
var RFC_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
var RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
var RFC_SIGNATURE =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

describe("Monocypher Ed25519 (as the QEMU loaders link it) against node:crypto", () => {
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

  it("RFC 8032 test 1: node:crypto and Monocypher both give the RFC's key and signature", () => {
    var key = keyFromSeed(new Uint8Array(Buffer.from(RFC_SEED, "hex")));
    expect(hex(key.raw)).toBe(RFC_PUBLIC);
    expect(hex(sign(null, Buffer.alloc(0), key.privateKey))).toBe(RFC_SIGNATURE);
    expect(inC([`sign ${RFC_SEED} -`])).toEqual([`${RFC_PUBLIC} ${RFC_SIGNATURE}`]);
    expect(inC([`check ${RFC_PUBLIC} ${RFC_SIGNATURE} -`])).toEqual(["ok"]);
  });

  it("checks release statements signed by node:crypto, and refuses any flipped bit", () => {
    var key = keyFromSeed(seed(0x11));
    var other = keyFromSeed(seed(0x22));
    var statement = releaseStatement({
      bundle: new Uint8Array(Buffer.from("sim.onFrame = function (f) { sim.sendFrame(f); };\n")),
      version: 1002003,
      board: "qemu-mps2-an385",
      signedAt: 1764763200,
      cells: [
        { id: 0x3d5b9a51, schemaHash: 0x12345678 },
        { id: 0x995d7aae, schemaHash: 0x9abcdef0 }
      ]
    });
    var file = signatureFile(statement, key);
    var sig = file.subarray(statement.length, statement.length + 64);
    expect(hex(file.subarray(statement.length + 64))).toBe(hex(key.raw));

    var flippedMessage = statement.slice();
    flippedMessage[44] ^= 1; // the version
    var flippedSignature = sig.slice();
    flippedSignature[63] ^= 0x40;
    expect(
      inC([
        `sign ${hex(seed(0x11))} ${hex(statement)}`,
        `check ${hex(key.raw)} ${hex(sig)} ${hex(statement)}`,
        `check ${hex(key.raw)} ${hex(sig)} ${hex(flippedMessage)}`,
        `check ${hex(key.raw)} ${hex(flippedSignature)} ${hex(statement)}`,
        `check ${hex(other.raw)} ${hex(sig)} ${hex(statement)}`
      ])
    ).toEqual([`${hex(key.raw)} ${hex(sig)}`, "ok", "bad", "bad", "bad"]);
  });
});

describe("rawPublicKey (what a board is provisioned with)", () => {
  it("is the last 32 bytes of the SPKI DER of a PEM public key, and refuses other key types", () => {
    var key = keyFromSeed(seed(0x33));
    var pem = createPublicKey(key.privateKey).export({ format: "pem", type: "spki" });
    expect(hex(rawPublicKey(pem))).toBe(hex(key.raw));
    var rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "pem", type: "spki" });
    expect(() => rawPublicKey(rsa)).toThrow(/not an Ed25519 public key \(rsa\)/);
  });
});
