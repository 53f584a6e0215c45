// Why a signed release (spec/signing.md) was refused: the verifier's checks of §4, in order, plus the
// host's own case of a bundle with no signature file at all. Flat verb-first codes, one error class.

export const TrustErrorCode = {
  /** No .cellsig beside the bundle (host only: a device is told by its loader that none came). */
  BundleUnsigned: "BundleUnsigned",
  /** §4.1: the file's length, magic or counts are not what §2/§3 allow. */
  SignatureMalformed: "SignatureMalformed",
  /** §4.2: the key in the file is not one the verifier trusts. */
  SignerUntrusted: "SignerUntrusted",
  /** §4.3: the signature does not verify over the statement. */
  SignatureInvalid: "SignatureInvalid",
  /** §4.4: the bundle's SHA-256 or length differ from the signed ones. */
  BundleTampered: "BundleTampered",
  /** §4.5: the release is for another board. */
  WrongBoard: "WrongBoard",
  /** §4.6: the release is older than the one running. */
  Rollback: "Rollback"
} as const;

export type TrustErrorCode = (typeof TrustErrorCode)[keyof typeof TrustErrorCode];

/** What the verifier knew when it refused: whatever of these applies to the code. */
export interface TrustErrorFields {
  /** The key id (spec/signing.md §1) of the key in the signature file. */
  keyId?: string;
  /** WrongBoard: the board the release names, and the one it was checked for. */
  board?: string;
  expectedBoard?: string;
  /** Rollback: the release's version and the running one (as u32, §2). */
  version?: number;
  runningVersion?: number;
}

export class TrustError extends Error {
  readonly code: TrustErrorCode;
  readonly fields: TrustErrorFields;
  constructor(code: TrustErrorCode, message: string, fields?: TrustErrorFields, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TrustError";
    this.code = code;
    this.fields = fields || {};
  }
}
