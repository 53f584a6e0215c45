// YMODEM framing (Chuck Forsberg's "XMODEM/YMODEM Protocol Reference", 1988), engine-neutral: plain
// Uint8Array, no Node. Block 0 carries the file name and size, data goes in 1024-byte STX blocks with
// a CRC-16 (CCITT polynomial 0x1021, initial value 0: "CRC-16/XMODEM"), an empty block 0 ends the batch.

export const SOH = 0x01; // a 128-byte block follows
export const STX = 0x02; // a 1024-byte block follows
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const CAN = 0x18; // two in a row cancel the transfer
export const CRC_REQUEST = 0x43; // "C": the receiver asks for a block, with CRC-16
export const CPMEOF = 0x1a; // pads the last data block (the receiver cuts at the size in block 0)

export const HEADER_BYTES = 128;
export const DATA_BYTES = 1024;
/** STX, block number, its complement, 1024 bytes, CRC high, CRC low. */
export const DATA_PACKET_BYTES = 3 + DATA_BYTES + 2;

/** CRC-16/XMODEM of bytes[start..end): check value 0x31C3 for "123456789". */
export function crc16Xmodem(bytes: Uint8Array, start?: number, end?: number): number {
  var crc = 0;
  var to = end === undefined ? bytes.length : end;
  for (var i = start || 0; i < to; i++) {
    crc ^= bytes[i] << 8;
    for (var k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** One block: SOH (payload up to 128 bytes) or STX (up to 1024), padded with `pad`, then its CRC. */
export function ymodemPacket(block: number, payload: Uint8Array, size: 128 | 1024, pad = CPMEOF): Uint8Array {
  if (payload.length > size) throw new RangeError(`a ${size}-byte block cannot hold ${payload.length} bytes`);
  var p = new Uint8Array(3 + size + 2);
  p[0] = size === 128 ? SOH : STX;
  p[1] = block & 0xff;
  p[2] = 0xff - (block & 0xff);
  p.set(payload, 3);
  for (var i = 3 + payload.length; i < 3 + size; i++) p[i] = pad;
  var crc = crc16Xmodem(p, 3, 3 + size);
  p[3 + size] = crc >> 8;
  p[4 + size] = crc & 0xff;
  return p;
}

/**
 * Block 0: the name, NUL, the length in decimal and a space, NULs to the end. The space matters:
 * Kaluma's receiver (src/ymodem.c) reads the length up to a space. Names keep to 63 ASCII bytes
 * without "/" (Kaluma keeps 64 with the NUL).
 */
export function headerPacket(name: string, size: number): Uint8Array {
  if (!(size >= 0 && size === Math.floor(size))) throw new RangeError(`not a file size: ${size}`);
  var safe = name.replace(/[^\x21-\x7e]|\//g, "_").slice(0, 63) || "program.js";
  var text = safe + "\u0000" + size + " ";
  var payload = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) payload[i] = text.charCodeAt(i);
  return ymodemPacket(0, payload, HEADER_BYTES, 0);
}

/** The empty block 0 that ends a batch. */
export function endOfBatchPacket(): Uint8Array {
  return ymodemPacket(0, new Uint8Array(0), HEADER_BYTES, 0);
}

/** Data block `n` (1-based) of `data`: STX, 1024 bytes from offset (n - 1) * 1024. */
export function dataPacket(data: Uint8Array, n: number): Uint8Array {
  return ymodemPacket(n, data.subarray((n - 1) * DATA_BYTES, n * DATA_BYTES), DATA_BYTES);
}

export function dataBlockCount(size: number): number {
  return Math.ceil(size / DATA_BYTES);
}
