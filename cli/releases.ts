// The CLI's side of signed releases (spec/signing.md): key files, Cell.lock's keys, signing what
// `cell build` wrote, and the check `cell flash` makes before it writes anything. The formats and the
// cryptography are trust/'s; this file turns their errors into one-line CliErrors.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { basename, dirname, join, resolve, extname } from "node:path";
import { CliError, ExitCode } from "./exit-codes";
import { UsageError } from "./args";
import { checkReadable } from "./files";
import { generateKeyPair, keyId, rawPublicKey, readPrivateKey } from "../trust/keys";
import { emptyLock, readLock, writeLock, trustedKeys, LockError, LOCK_FILE, type Lock } from "../trust/lock";
import { signRelease, verifyRelease } from "../trust/release";
import { versionNumber, versionText } from "../trust/statement";
import { SIGNATURE_EXTENSION } from "../trust/signature-file";
import { TrustError } from "../trust/errors";

export const KEY_FILE = "cell-signing.key";
export const PUB_FILE = "cell-signing.pub";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** `cell keygen`: both files, the private one created 0600 and never over an existing one. */
export function writeKeyPair(dir: string): { keyPath: string; pubPath: string; id: string } {
  const keyPath = join(dir, KEY_FILE);
  const pubPath = join(dir, PUB_FILE);
  for (const p of [keyPath, pubPath])
    if (existsSync(p)) throw new CliError(`${p} already exists; nothing was written (a key is never overwritten)`, ExitCode.BadInput);
  mkdirSync(dir, { recursive: true });
  const pair = generateKeyPair();
  writeFileSync(keyPath, pair.privatePem, { mode: 0o600, flag: "wx" });
  chmodSync(keyPath, 0o600); // whatever the umask
  writeFileSync(pubPath, pair.publicPem, { flag: "wx" });
  return { keyPath, pubPath, id: keyId(rawPublicKey(pair.publicPem)) };
}

/** Cell.lock in `dir` (an empty one when there is none); a damaged one is BadInput. */
export function lockIn(dir: string): Lock | null {
  try {
    return readLock(dir);
  } catch (e) {
    if (e instanceof LockError) throw new CliError(e.message, ExitCode.BadInput, { cause: e });
    throw e;
  }
}

/** The raw key in a .pub file (`cell trust`, `cell sim --trust`); a missing or other file is BadInput. */
export function readPublicKeyFile(file: string): { raw: Uint8Array; id: string } {
  checkReadable(file, "public key");
  let raw: Uint8Array;
  try {
    raw = rawPublicKey(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`${file} is not an Ed25519 public key (PEM): ${(e as Error).message}`, ExitCode.BadInput, { cause: e });
  }
  return { raw, id: keyId(raw) };
}

/** `cell trust`: adds the key in a .pub file to Cell.lock in `dir`. */
export function trustKeyFile(dir: string, file: string, name?: string) {
  const { raw } = readPublicKeyFile(file);
  const lock = lockIn(dir) ?? emptyLock();
  const id = keyId(raw);
  const known = lock.keys.find((k) => k.publicKey === hex(raw));
  const lockPath = join(dir, LOCK_FILE);
  if (known) return { added: false, id, name: known.name, lockPath };
  const entry = { id, publicKey: hex(raw), name: name ?? basename(file, extname(file)), added: new Date().toISOString() };
  lock.keys.push(entry);
  writeLock(dir, lock);
  return { added: true, id, name: entry.name, lockPath };
}

/** The version in the nearest package.json at or above `entry`'s folder, or null. */
export function packageVersion(entry: string): { version: string; from: string } | null {
  let dir = resolve(entry);
  if (existsSync(dir) && !/\.[cm]?[jt]s$/.test(dir)) dir = join(dir, "x"); // a folder entry: start in it
  for (dir = dirname(dir); ; dir = dirname(dir)) {
    const p = join(dir, "package.json");
    if (existsSync(p)) {
      try {
        const v = (JSON.parse(readFileSync(p, "utf8")) as { version?: unknown }).version;
        if (typeof v === "string") return { version: v, from: p };
      } catch {
        // an unreadable package.json names no version; look further up
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/** The release version of `entry` as spec/signing.md §2's u32: --release-version, else its package.json. */
export function releaseVersion(entry: string, given: string | undefined): number {
  const found = given === undefined ? packageVersion(entry) : { version: given, from: "--release-version" };
  if (!found) throw new UsageError(`no package.json at or above ${entry} names a version; give --release-version x.y.z`);
  try {
    return versionNumber(found.version);
  } catch (e) {
    throw new UsageError(`${found.from}: ${(e as Error).message}`);
  }
}

/** Reads and checks a private key file for `cell build --sign` before anything is built. */
export function readSigningKey(file: string) {
  checkReadable(file, "signing key");
  try {
    return readPrivateKey(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`${file} is not an Ed25519 private key (PEM): ${(e as Error).message}`, ExitCode.BadInput, { cause: e });
  }
}

/** Writes <bundle>.cellsig beside a bundle just built; returns its path and the key id. */
export function signBundle(
  bundlePath: string,
  facts: { board: string; version: number; cells: { id: number; schemaHash: string }[] },
  key: ReturnType<typeof readSigningKey>
): { path: string; keyId: string } {
  const cells = facts.cells.map((c) => ({ id: c.id, schemaHash: parseInt(c.schemaHash, 16) }));
  const file = signRelease(new Uint8Array(readFileSync(bundlePath)), { board: facts.board, version: facts.version, cells }, key);
  const path = bundlePath + SIGNATURE_EXTENSION;
  writeFileSync(path, file);
  return { path, keyId: keyId(rawPublicKey(key)) };
}

/**
 * `cell flash`'s check, before anything is written: when Cell.lock in `dir` trusts keys, the bundle must
 * carry a .cellsig by one of them, over these very bytes, for this board; `allowUnsigned` turns a refusal
 * into a warning that says what it risks. Returns the .cellsig bytes (when there is one) for the loader.
 */
export function checkRelease(
  o: { dir: string; bundlePath: string; bytes: Uint8Array; board: string; allowUnsigned: boolean },
  say: (line: string) => void
): Uint8Array | undefined {
  const sigPath = o.bundlePath + SIGNATURE_EXTENSION;
  const signature = existsSync(sigPath) ? new Uint8Array(readFileSync(sigPath)) : undefined;
  const lock = lockIn(o.dir);
  if (!lock || lock.keys.length === 0) return signature;
  const where = join(o.dir, LOCK_FILE);
  let refusal: string;
  try {
    if (!signature) throw new TrustError("BundleUnsigned", `${o.bundlePath} is unsigned (no ${basename(sigPath)} beside it)`);
    const r = verifyRelease(signature, o.bytes, { trusted: trustedKeys(lock), board: o.board });
    const name = lock.keys.find((k) => k.id === r.keyId)?.name;
    say(
      `signed by key ${r.keyId}${name ? ` (${name})` : ""}: release ${versionText(r.statement.version)} for ${r.statement.board}, trusted by ${where}`
    );
    return signature;
  } catch (e) {
    if (!(e instanceof TrustError)) throw e;
    refusal = `${e.code}: ${e.message}`;
  }
  if (!o.allowUnsigned)
    throw new CliError(
      `refused, nothing was written: ${refusal} (${where} trusts ${lock.keys.map((k) => k.id).join(", ")}; --allow-unsigned flashes it anyway)`,
      ExitCode.BadInput
    );
  console.error(
    `cell flash: WARNING --allow-unsigned: ${refusal}; flashing it anyway: the board will run code that no key trusted in ${where} vouches for (it may have been changed by anyone who could write the file)`
  );
  return signature;
}
