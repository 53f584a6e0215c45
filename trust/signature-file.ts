// The .cellsig file (spec/signing.md §3): statement, 64-byte Ed25519 signature, 32-byte raw public key.
import { TrustError, TrustErrorCode } from "./errors";
import { statementLengthOf } from "./statement";

export const SIGNATURE_LENGTH = 64;
export const PUBLIC_KEY_LENGTH = 32;
/** The extension `cell build --sign` adds to the bundle's path. */
export const SIGNATURE_EXTENSION = ".cellsig";

export interface SignatureFile {
  statement: Uint8Array;
  signature: Uint8Array;
  publicKey: Uint8Array;
}

export function encodeSignatureFile(f: SignatureFile): Uint8Array {
  if (f.signature.length !== SIGNATURE_LENGTH || f.publicKey.length !== PUBLIC_KEY_LENGTH)
    throw new RangeError("an Ed25519 signature is 64 bytes and its public key 32");
  const out = new Uint8Array(f.statement.length + SIGNATURE_LENGTH + PUBLIC_KEY_LENGTH);
  out.set(f.statement, 0);
  out.set(f.signature, f.statement.length);
  out.set(f.publicKey, f.statement.length + SIGNATURE_LENGTH);
  return out;
}

/** Splits a .cellsig; throws TrustError(SignatureMalformed) for any length but the one its counts give. */
export function decodeSignatureFile(bytes: Uint8Array): SignatureFile {
  const s = statementLengthOf(bytes);
  const want = s + SIGNATURE_LENGTH + PUBLIC_KEY_LENGTH;
  if (bytes.length !== want)
    throw new TrustError(TrustErrorCode.SignatureMalformed, `malformed signature file: ${bytes.length} bytes, its statement says ${want}`);
  return {
    statement: bytes.slice(0, s),
    signature: bytes.slice(s, s + SIGNATURE_LENGTH),
    publicKey: bytes.slice(s + SIGNATURE_LENGTH)
  };
}
