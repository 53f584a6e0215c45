// Cell beacons: the cells a BLE device serves, in its advertising data (spec/ble.md §2). Flags AD, then
// manufacturer-specific data with company id 0xFFFF: CE, version<<4 | more<<3 | count, a 16-bit instance
// id, and up to 5 cell ids (u32 little-endian) — 31 bytes at most.

export const BEACON_COMPANY = 0xffff;
export const BEACON_MAX_CELLS = 5;
const AD_FLAGS = 0x01;
const AD_MANUFACTURER = 0xff;

export interface Beacon {
  /** A short (16-bit) instance id; the device's full one comes in its ANNOUNCE once connected. */
  instance: number;
  cellIds: number[];
  /** The device serves more cells than listed: connect and read its ANNOUNCE. */
  more: boolean;
}

/** The advertising data of a beacon: flags (LE general discoverable, no BR/EDR) and the manufacturer data. */
export function encodeBeacon(b: Beacon): Uint8Array {
  if (b.cellIds.length > BEACON_MAX_CELLS) throw new RangeError(`a beacon lists at most ${BEACON_MAX_CELLS} cells, not ${b.cellIds.length}; set more and list the first ${BEACON_MAX_CELLS}`);
  if (!(Number.isInteger(b.instance) && b.instance >= 0 && b.instance <= 0xffff)) throw new RangeError(`a beacon's instance id is 16 bits, not ${b.instance}`);
  const payload = 4 + 4 * b.cellIds.length;
  const out = new Uint8Array(3 + 4 + payload);
  out.set([2, AD_FLAGS, 0x06, 3 + payload, AD_MANUFACTURER, BEACON_COMPANY & 0xff, BEACON_COMPANY >> 8, 0xce, 0x10 | (b.more ? 8 : 0) | b.cellIds.length, b.instance & 0xff, b.instance >> 8]);
  const view = new DataView(out.buffer);
  b.cellIds.forEach((id, i) => view.setUint32(11 + 4 * i, id >>> 0, true));
  return out;
}

/** Reads a beacon from manufacturer-specific data (company id first), as libraries hand it; null if it is not one. */
export function decodeManufacturerData(md: Uint8Array): Beacon | null {
  if (md.length < 6 || (md[0] | (md[1] << 8)) !== BEACON_COMPANY || md[2] !== 0xce || md[3] >> 4 !== 1) return null;
  const count = md[3] & 7;
  if (count > BEACON_MAX_CELLS || md.length !== 6 + 4 * count) return null;
  const view = new DataView(md.buffer, md.byteOffset, md.length);
  const cellIds: number[] = [];
  for (let i = 0; i < count; i++) cellIds.push(view.getUint32(6 + 4 * i, true));
  return { instance: md[4] | (md[5] << 8), cellIds, more: (md[3] & 8) !== 0 };
}

/** Finds a beacon in raw advertising data (AD structures); null when there is none or the data is malformed. */
export function decodeBeacon(adv: Uint8Array): Beacon | null {
  if (adv.length > 31) return null;
  for (let at = 0; at < adv.length; ) {
    const len = adv[at];
    if (len === 0) return null; // the rest is padding or garbage: no beacon before it
    if (at + 1 + len > adv.length) return null;
    if (adv[at + 1] === AD_MANUFACTURER) {
      const found = decodeManufacturerData(adv.subarray(at + 2, at + 1 + len));
      if (found) return found;
    }
    at += 1 + len;
  }
  return null;
}
