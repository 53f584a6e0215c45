// The QUIC identity of this machine: a self-signed ECDSA P-256 certificate made at first start and
// kept in the user's config folder. Peers do not trust a CA: they pin each other's SHA-256 fingerprint.
import { generateKeyPairSync, createHash, sign, randomBytes, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { sequence, set, explicit, utf8String, bitString, unsignedInteger, oid, time } from "./der";

export interface QuicIdentity {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the certificate (DER), lowercase hex without separators: what peers pin. */
  fingerprint: string;
  /** Where the files are. */
  dir: string;
}

/** $CELL_CONFIG_DIR/quic, else $XDG_CONFIG_HOME/cell/quic, else ~/.config/cell/quic. */
export function defaultQuicDir(): string {
  if (process.env.CELL_CONFIG_DIR) return join(process.env.CELL_CONFIG_DIR, "quic");
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), ".config"), "cell", "quic");
}

/** Lowercase hex without ":" or spaces, so that "AB:CD:…" as openssl prints it pins too. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`quic: "${text}" is not a SHA-256 fingerprint (64 hex digits)`);
  return hex;
}

export function fingerprintOf(certDer: Uint8Array): string {
  return createHash("sha256").update(certDer).digest("hex");
}

const ECDSA_WITH_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));

/** A self-signed certificate for `name`, valid from yesterday for 100 years. */
export function makeSelfSigned(name: string): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const subject = sequence(set(sequence(oid("2.5.4.3"), utf8String(name))));
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const now = Date.now();
  const tbs = sequence(
    explicit(0, unsignedInteger(new Uint8Array([2]))), // version 3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    subject, // issuer: itself
    sequence(time(new Date(now - 86400000)), time(new Date(now + 100 * 365.25 * 86400000))),
    subject,
    spki
  );
  const signature = sign("sha256", tbs, privateKey); // DER-encoded ECDSA signature, as X.509 wants
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(new Uint8Array(signature)));
  const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string
  };
}

/** Loads the identity from `dir` (default: defaultQuicDir()), making it on first use. */
export function loadOrCreateIdentity(dir = defaultQuicDir()): QuicIdentity {
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const made = makeSelfSigned("cell");
    // Written aside then renamed: two processes starting at once never read half a file.
    const tag = `.${process.pid}.tmp`;
    writeFileSync(keyPath + tag, made.keyPem, { mode: 0o600 });
    writeFileSync(certPath + tag, made.certPem, { mode: 0o644 });
    if (!existsSync(certPath) || !existsSync(keyPath)) {
      renameSync(keyPath + tag, keyPath);
      renameSync(certPath + tag, certPath);
    }
  }
  const certPem = readFileSync(certPath, "utf8");
  const keyPem = readFileSync(keyPath, "utf8");
  const fingerprint = fingerprintOf(new X509Certificate(certPem).raw);
  return { certPem, keyPem, fingerprint, dir };
}
