// Ed25519 keys with node:crypto (spec/signing.md §1): PEM files on disk, the raw 32-byte public key in
// signature files and Cell.lock, and the 16-hex-digit key id people read.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, KeyObject } from "node:crypto";

/** DER of a PKCS#8 Ed25519 private key up to its 32-byte seed (RFC 8410 §7). */
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** DER of an SPKI Ed25519 public key up to its 32-byte point (RFC 8410 §4). */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface KeyPair {
  /** PKCS#8 PEM: what cell-signing.key holds. */
  privatePem: string;
  /** SPKI PEM: what cell-signing.pub holds. */
  publicPem: string;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicPem: publicKey.export({ type: "spki", format: "pem" }) as string
  };
}

/** The private key whose RFC 8032 seed is `seed` (32 bytes): how test vectors fix a key. */
export const privateKeyFromSeed = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });

/** Reads a PEM private key and checks that it is Ed25519. */
export function readPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ed25519") throw new TypeError(`not an Ed25519 private key (it is ${key.asymmetricKeyType})`);
  return key;
}

/** The raw 32-byte point of a public key (a PEM text or a KeyObject, public or private). */
export function rawPublicKey(key: string | KeyObject): Uint8Array {
  const pub = createPublicKey(key);
  if (pub.asymmetricKeyType !== "ed25519") throw new TypeError(`not an Ed25519 key (it is ${pub.asymmetricKeyType})`);
  const der = pub.export({ type: "spki", format: "der" });
  return new Uint8Array(der.subarray(der.length - 32));
}

const publicKeyFromRaw = (raw: Uint8Array): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });

/** The first 8 bytes of SHA-256(raw public key), as 16 lower-case hex digits. */
export const keyId = (raw: Uint8Array): string => createHash("sha256").update(raw).digest("hex").slice(0, 16);

export const signBytes = (key: KeyObject, message: Uint8Array): Uint8Array => new Uint8Array(sign(null, message, key));

/** Whether `signature` is `raw`'s Ed25519 signature of `message`; false (not a throw) for a bad point. */
export function verifyBytes(raw: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, message, publicKeyFromRaw(raw), signature);
  } catch {
    return false; // a point that does not decode signs nothing
  }
}

/** A fixed key (tests, benches): the private key whose RFC 8032 seed is `seed`, its raw public key and key id. */
export function keyFromSeed(seed: Uint8Array): { privateKey: KeyObject; raw: Uint8Array; id: string } {
  const privateKey = privateKeyFromSeed(seed);
  const raw = rawPublicKey(privateKey);
  return { privateKey, raw, id: keyId(raw) };
}
