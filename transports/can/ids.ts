// The CAN id scheme of spec/can.md: one id per (sender, receiver) pair of node addresses, so every
// (node, peer) pair has its own id pair, and one functional id per sender for messages to all.

export type IdFormat = "11-bit" | "29-bit";

/** Node address meaning "every node" (functional addressing). */
export const ALL = -1;

/** The largest node address of each format: 0..14 with 11-bit ids (15 is "all"), 0..254 with 29-bit. */
export function maxNode(format: IdFormat): number {
  return format === "11-bit" ? 14 : 254;
}

export function checkNode(node: number, format: IdFormat, what = "node"): void {
  if (!(Number.isInteger(node) && node >= 0 && node <= maxNode(format))) {
    throw new RangeError(`can: ${what} address ${node} is not 0..${maxNode(format)} (${format} ids)`);
  }
}

/** The id a frame from `src` to `dst` (or ALL) is sent with. */
export function canId(format: IdFormat, src: number, dst: number): number {
  if (format === "11-bit") return 0x600 | ((dst === ALL ? 15 : dst) << 4) | src;
  return (dst === ALL ? 0x18dbff00 : 0x18da0000 | (dst << 8)) | src;
}

/** Sender and receiver of an id of our scheme, or null for any other id on the bus. */
export function parseCanId(format: IdFormat, id: number, extended: boolean): { src: number; dst: number } | null {
  if (format === "11-bit") {
    if (extended || (id & 0x700) !== 0x600) return null;
    const src = id & 15;
    const dst = (id >> 4) & 15;
    if (src === 15) return null;
    return { src, dst: dst === 15 ? ALL : dst };
  }
  if (!extended) return null;
  const src = id & 0xff;
  const to = (id >> 8) & 0xff;
  if (src === 0xff) return null;
  if ((id & 0x1fff0000) === 0x18da0000 && to !== 0xff) return { src, dst: to };
  if ((id & 0x1fff0000) === 0x18db0000 && to === 0xff) return { src, dst: ALL };
  return null;
}
