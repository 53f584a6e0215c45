// The release statement (spec/signing.md §2): what a bundle is, in bytes a device reads without a
// JSON parser. All integers little-endian.
import { TrustError, TrustErrorCode } from "./errors";

export const STATEMENT_MAGIC = "CELLREL1";
export const MAX_BOARD_LENGTH = 63;
export const MAX_CELLS = 32;
/** Bytes before the board id: magic, SHA-256, length, version, time, board length. */
const FIXED = 57;

export interface ReleaseCell {
  /** FNV-1a-32 of the cell's name (wire-format.md §2). */
  id: number;
  /** FNV-1a-32 of its canonical schema text. */
  schemaHash: number;
}

export interface Statement {
  bundleSha256: Uint8Array;
  bundleLength: number;
  /** major*1000000 + minor*1000 + patch (versionNumber()). */
  version: number;
  /** Seconds since 1970-01-01 UTC. */
  signedAt: number;
  board: string;
  cells: ReleaseCell[];
}

/** The statement's length from its own counts (58 + B + 8×C). */
export const statementLength = (boardLength: number, cellCount: number): number => FIXED + 1 + boardLength + 8 * cellCount;

/** "1.2.3" (a semver; pre-release and build suffixes are ignored) as the u32 of §2. */
export function versionNumber(semver: string): number {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(semver.trim());
  if (!m) throw new RangeError(`release version ${JSON.stringify(semver)} is not x.y.z`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (minor >= 1000 || patch >= 1000) throw new RangeError(`release version ${semver}: minor and patch must be below 1000`);
  const n = major * 1000000 + minor * 1000 + patch;
  if (n > 0xffffffff) throw new RangeError(`release version ${semver} does not fit in a u32`);
  return n;
}

/** The u32 of §2 back as "1.2.3". */
export const versionText = (n: number): string => `${Math.floor(n / 1000000)}.${Math.floor(n / 1000) % 1000}.${n % 1000}`;

export function encodeStatement(s: Statement): Uint8Array {
  if (s.bundleSha256.length !== 32) throw new RangeError("bundleSha256 must be 32 bytes");
  if (!/^[\x21-\x7e]{1,63}$/.test(s.board)) throw new RangeError(`board ${JSON.stringify(s.board)} must be 1..63 printable ASCII bytes`);
  if (s.cells.length > MAX_CELLS) throw new RangeError(`a release names at most ${MAX_CELLS} cells, not ${s.cells.length}`);
  const out = Buffer.alloc(statementLength(s.board.length, s.cells.length));
  out.write(STATEMENT_MAGIC, 0, "ascii");
  out.set(s.bundleSha256, 8);
  out.writeUInt32LE(s.bundleLength, 40);
  out.writeUInt32LE(s.version, 44);
  out.writeBigUInt64LE(BigInt(s.signedAt), 48);
  out.writeUInt8(s.board.length, 56);
  out.write(s.board, FIXED, "ascii");
  let at = FIXED + s.board.length;
  out.writeUInt8(s.cells.length, at++);
  for (const c of s.cells) {
    out.writeUInt32LE(c.id >>> 0, at);
    out.writeUInt32LE(c.schemaHash >>> 0, at + 4);
    at += 8;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

const malformed = (why: string): TrustError => new TrustError(TrustErrorCode.SignatureMalformed, `malformed release statement: ${why}`);

/**
 * The length of the statement at the start of `bytes`, read from its own counts; throws
 * SignatureMalformed when the magic is wrong or a count is out of range or runs past the end.
 */
export function statementLengthOf(bytes: Uint8Array): number {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.length < FIXED + 1) throw malformed(`${b.length} bytes is too short`);
  if (b.toString("latin1", 0, 8) !== STATEMENT_MAGIC) throw malformed(`the magic is not ${STATEMENT_MAGIC}`);
  const boardLength = b[56];
  if (boardLength < 1 || boardLength > MAX_BOARD_LENGTH) throw malformed(`board length ${boardLength} is not 1..${MAX_BOARD_LENGTH}`);
  if (b.length < FIXED + boardLength + 1) throw malformed("it ends inside the board id");
  const cellCount = b[FIXED + boardLength];
  if (cellCount > MAX_CELLS) throw malformed(`cell count ${cellCount} is above ${MAX_CELLS}`);
  return statementLength(boardLength, cellCount);
}

/** The statement that is exactly `bytes`; throws TrustError(SignatureMalformed). */
export function decodeStatement(bytes: Uint8Array): Statement {
  const n = statementLengthOf(bytes);
  if (bytes.length !== n) throw malformed(`${bytes.length} bytes, its counts say ${n}`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const boardLength = b[56];
  const cells: ReleaseCell[] = [];
  for (let at = FIXED + boardLength + 1; at < n; at += 8) cells.push({ id: b.readUInt32LE(at), schemaHash: b.readUInt32LE(at + 4) });
  return {
    bundleSha256: new Uint8Array(b.subarray(8, 40)),
    bundleLength: b.readUInt32LE(40),
    version: b.readUInt32LE(44),
    signedAt: Number(b.readBigUInt64LE(48)),
    board: b.toString("latin1", FIXED, FIXED + boardLength),
    cells
  };
}
