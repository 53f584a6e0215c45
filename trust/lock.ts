// Cell.lock: the keys a folder trusts to sign releases, and the remote cells it pinned with `cell pull`.
// JSON, one file per project folder: {"version":1,"keys":[...],"cells":{...}}.
import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";

export const LOCK_FILE = "Cell.lock";

export interface LockedKey {
  /** spec/signing.md §1: 16 hex digits. */
  id: string;
  /** The raw 32-byte Ed25519 public key, 64 hex digits. */
  publicKey: string;
  /** Who it is, for people (the .pub file's name by default). */
  name: string;
  added: string;
}

export interface LockedCell {
  /** FNV-1a-32 of the canonical schema text, 8 hex digits. */
  schemaHash: string;
  /** Where it was pulled from, e.g. udp://127.0.0.1:7420. */
  address: string;
  /** When the lock was set (ISO 8601). */
  pulledAt: string;
}

export interface Lock {
  version: 1;
  keys: LockedKey[];
  cells: Record<string, LockedCell>;
}

export const emptyLock = (): Lock => ({ version: 1, keys: [], cells: {} });

/** Cell.lock that is not what this file describes: the command says which field, never half-reads it. */
export class LockError extends Error {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.name = "LockError";
    this.path = path;
  }
}

const isHex = (s: unknown, n: number): s is string => typeof s === "string" && new RegExp(`^[0-9a-f]{${n}}$`).test(s);

function checkLock(path: string, v: unknown): Lock {
  const bad = (what: string) => new LockError(path, what);
  if (!v || typeof v !== "object" || Array.isArray(v)) throw bad("is not a JSON object");
  const o = v as Record<string, unknown>;
  if (o.version !== 1) throw bad(`version ${JSON.stringify(o.version)} is not 1`);
  if (!Array.isArray(o.keys)) throw bad('"keys" is not a list');
  o.keys.forEach((k: LockedKey, i) => {
    if (!k || !isHex(k.publicKey, 64) || !isHex(k.id, 16) || typeof k.name !== "string")
      throw bad(`keys[${i}] needs id (16 hex digits), publicKey (64 hex digits) and name`);
  });
  if (!o.cells || typeof o.cells !== "object" || Array.isArray(o.cells)) throw bad('"cells" is not an object');
  for (const [name, c] of Object.entries(o.cells as Record<string, LockedCell>)) {
    if (!c || !isHex(c.schemaHash, 8) || typeof c.address !== "string")
      throw bad(`cells.${name} needs schemaHash (8 hex digits) and address`);
  }
  return o as unknown as Lock;
}

/** The lock in `dir`, or null when there is none. Throws LockError for one that does not parse. */
export function readLock(dir: string): Lock | null {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new LockError(path, `is not JSON (${(e as Error).message})`, { cause: e });
  }
  return checkLock(path, parsed);
}

/** Writes the lock whole (a temporary file renamed over it, so a crash never leaves half a lock). */
export function writeLock(dir: string, lock: Lock): string {
  const path = join(dir, LOCK_FILE);
  writeFileSync(path + ".tmp", JSON.stringify(lock, null, 2) + "\n");
  renameSync(path + ".tmp", path);
  return path;
}

export const trustedKeys = (lock: Lock | null): Uint8Array[] =>
  lock ? lock.keys.map((k) => new Uint8Array(Buffer.from(k.publicKey, "hex"))) : [];
