// A CAN frame as adapters carry it, and the data lengths CAN FD allows.

export interface CanFrame {
  /** 11-bit (0..0x7ff) or 29-bit (0..0x1fffffff) identifier. */
  id: number;
  /** True for a 29-bit identifier. */
  extended: boolean;
  /** 0..8 bytes on classic CAN; on CAN FD one of 0..8, 12, 16, 20, 24, 32, 48, 64. */
  data: Uint8Array;
  /** A CAN FD frame (may carry more than 8 bytes). */
  fd?: boolean;
}

/** The data lengths a CAN FD DLC (0..15) can say, in DLC order. */
export const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

/** The smallest CAN FD data length of at least n bytes (n ≤ 64). */
export function fdLength(n: number): number {
  for (const size of FD_LENGTHS) if (size >= n) return size;
  throw new RangeError(`a CAN FD frame carries at most 64 bytes, not ${n}`);
}

/** The DLC code (0..15) of a data length that a CAN or CAN FD frame can have, or -1. */
export function dlcOf(length: number): number {
  return FD_LENGTHS.indexOf(length);
}

export function describeFrame(f: CanFrame): string {
  const id = f.extended ? f.id.toString(16).padStart(8, "0") : f.id.toString(16).padStart(3, "0");
  return `${id}#${Buffer.from(f.data).toString("hex")}${f.fd ? " (FD)" : ""}`;
}
