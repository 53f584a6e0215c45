// Signing a bundle and checking a signed one, in the order of spec/signing.md §4.
import { createHash, KeyObject } from "node:crypto";
import { TrustError, TrustErrorCode } from "./errors";
import { decodeStatement, encodeStatement, ReleaseCell, Statement, versionText } from "./statement";
import { decodeSignatureFile, encodeSignatureFile } from "./signature-file";
import { keyId, rawPublicKey, signBytes, verifyBytes } from "./keys";

export interface ReleaseFacts {
  board: string;
  version: number;
  /** Seconds since 1970 (default: now). */
  signedAt?: number;
  cells: ReleaseCell[];
}

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(b).digest());

/** The .cellsig bytes of `bundle`, signed with `key`. */
export function signRelease(bundle: Uint8Array, facts: ReleaseFacts, key: KeyObject): Uint8Array {
  const statement = encodeStatement({
    bundleSha256: sha256(bundle),
    bundleLength: bundle.length,
    version: facts.version,
    signedAt: facts.signedAt ?? Math.floor(Date.now() / 1000),
    board: facts.board,
    cells: facts.cells
  });
  return encodeSignatureFile({ statement, signature: signBytes(key, statement), publicKey: rawPublicKey(key) });
}

export interface VerifyOptions {
  /** Raw public keys the verifier trusts. */
  trusted: Uint8Array[];
  /** The board the bundle is about to go to. */
  board: string;
  /** The running release's version; absent: no rollback check. */
  runningVersion?: number;
  /** Accept a lower version (§4.6 "unless forced"). */
  allowRollback?: boolean;
}

export interface VerifiedRelease {
  statement: Statement;
  keyId: string;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Checks a .cellsig against the bundle's bytes; throws TrustError with the code of the first failed check. */
export function verifyRelease(file: Uint8Array, bundle: Uint8Array, opts: VerifyOptions): VerifiedRelease {
  const f = decodeSignatureFile(file);
  const statement = decodeStatement(f.statement);
  const id = keyId(f.publicKey);
  if (!opts.trusted.some((k) => same(k, f.publicKey)))
    throw new TrustError(TrustErrorCode.SignerUntrusted, `signed by key ${id}, which is not trusted here`, { keyId: id });
  if (!verifyBytes(f.publicKey, f.statement, f.signature))
    throw new TrustError(TrustErrorCode.SignatureInvalid, `the signature by key ${id} does not verify`, { keyId: id });
  if (bundle.length !== statement.bundleLength || !same(sha256(bundle), statement.bundleSha256))
    throw new TrustError(
      TrustErrorCode.BundleTampered,
      `the bundle's bytes are not the ones key ${id} signed (${bundle.length} bytes, signed ${statement.bundleLength})`,
      { keyId: id }
    );
  if (statement.board !== opts.board)
    throw new TrustError(TrustErrorCode.WrongBoard, `signed by key ${id} for ${statement.board}, not ${opts.board}`, {
      keyId: id,
      board: statement.board,
      expectedBoard: opts.board
    });
  if (opts.runningVersion !== undefined && statement.version < opts.runningVersion && !opts.allowRollback)
    throw new TrustError(
      TrustErrorCode.Rollback,
      `release ${versionText(statement.version)} (key ${id}) is older than the running ${versionText(opts.runningVersion)}`,
      { keyId: id, version: statement.version, runningVersion: opts.runningVersion }
    );
  return { statement, keyId: id };
}
