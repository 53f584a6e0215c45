// The QUIC identity of this machine: an Ed25519 key made at first start and kept in the user's config
// folder. The libp2p TLS handshake signs each connection's certificate with it and proves the peer holds
// the key named by its peer id. Peers do not trust a CA: they pin the SHA-256 of each other's public key.
import { generateKeyPairSync, createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface QuicIdentity {
  /** The Ed25519 private key, PKCS#8 PEM, as kept in `dir`. */
  keyPem: string;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** libp2p's PrivateKey protobuf of the key, what the QUIC stack is given. */
  privateKeyProto: Uint8Array;
  /** SHA-256 of the raw public key, lowercase hex without separators: what peers pin. */
  fingerprint: string;
  /** Where the file is. */
  dir: string;
}

/** The key's file in the identity folder (an older cert.pem/key.pem pair there is left alone, unused). */
export const IDENTITY_FILE = "ed25519.pem";

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

/** SHA-256 of a raw Ed25519 public key. */
export function fingerprintOf(publicKey: Uint8Array): string {
  return createHash("sha256").update(publicKey).digest("hex");
}

/** libp2p's PrivateKey protobuf for Ed25519: Type = 1 (Ed25519), Data = seed ‖ public key. */
function privateKeyProtobuf(seed: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return Uint8Array.from([0x08, 0x01, 0x12, 0x40, ...seed, ...publicKey]);
}

/** Loads the identity from `dir` (default: defaultQuicDir()), making it on first use. */
export function loadOrCreateIdentity(dir = defaultQuicDir()): QuicIdentity {
  const keyPath = join(dir, IDENTITY_FILE);
  if (!existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync("ed25519");
    // Written aside then renamed: two processes starting at once never read half a file.
    const tag = `.${process.pid}.tmp`;
    writeFileSync(keyPath + tag, privateKey.export({ type: "pkcs8", format: "pem" }) as string, { mode: 0o600 });
    if (!existsSync(keyPath)) renameSync(keyPath + tag, keyPath);
  }
  const keyPem = readFileSync(keyPath, "utf8");
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`quic: ${keyPath} is not an Ed25519 private key`);
  const seed = Buffer.from(key.export({ format: "jwk" }).d!, "base64url");
  const publicKey = new Uint8Array(Buffer.from(createPublicKey(key).export({ format: "jwk" }).x!, "base64url"));
  return { keyPem, publicKey, privateKeyProto: privateKeyProtobuf(seed, publicKey), fingerprint: fingerprintOf(publicKey), dir };
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58Decode(text: string): Uint8Array | null {
  let n = 0n;
  for (const ch of text) {
    const v = BASE58.indexOf(ch);
    if (v < 0) return null;
    n = n * 58n + BigInt(v);
  }
  const bytes: number[] = [];
  for (; n > 0n; n >>= 8n) bytes.unshift(Number(n & 0xffn));
  for (let i = 0; i < text.length && text[i] === "1"; i++) bytes.unshift(0);
  return Uint8Array.from(bytes);
}

/** An identity multihash (0x00, length 36) of the PublicKey protobuf Type = 1 (Ed25519), Data = 32 bytes. */
const ED25519_PEER_ID_PREFIX = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];

/** The Ed25519 public key in a libp2p peer id ("12D3KooW…"), or null if it holds none. */
export function publicKeyOfPeerId(peerId: string): Uint8Array | null {
  const bytes = base58Decode(peerId);
  if (!bytes || bytes.length !== ED25519_PEER_ID_PREFIX.length + 32) return null;
  for (let i = 0; i < ED25519_PEER_ID_PREFIX.length; i++) if (bytes[i] !== ED25519_PEER_ID_PREFIX[i]) return null;
  return bytes.subarray(ED25519_PEER_ID_PREFIX.length);
}

export interface RemoteEnd {
  host: string;
  port: number;
  /** The peer's Ed25519 public key, from its peer id (null: no Ed25519 peer id in the address). */
  publicKey: Uint8Array | null;
}

/** Reads "/ip4/127.0.0.1/udp/4242/quic-v1/p2p/12D3KooW…" (or /ip6/…). */
export function parseRemote(multiaddr: string): RemoteEnd {
  const parts = multiaddr.split("/");
  const at = (name: string) => {
    const i = parts.indexOf(name);
    return i >= 0 && i + 1 < parts.length ? parts[i + 1] : "";
  };
  const p2p = at("p2p");
  return { host: at("ip4") || at("ip6"), port: Number(at("udp")) || 0, publicKey: p2p ? publicKeyOfPeerId(p2p) : null };
}
