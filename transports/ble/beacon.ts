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
  if (b.cellIds.length > BEACON_MAX_CELLS)
    throw new RangeError(
      `a beacon lists at most ${BEACON_MAX_CELLS} cells, not ${b.cellIds.length}; set more and list the first ${BEACON_MAX_CELLS}`
    );
  if (!(Number.isInteger(b.instance) && b.instance >= 0 && b.instance <= 0xffff))
    throw new RangeError(`a beacon's instance id is 16 bits, not ${b.instance}`);
  const payload = 4 + 4 * b.cellIds.length;
  const out = new Uint8Array(3 + 4 + payload);
  out.set([
    2,
    AD_FLAGS,
    0x06,
    3 + payload,
    AD_MANUFACTURER,
    BEACON_COMPANY & 0xff,
    BEACON_COMPANY >> 8,
    0xce,
    0x10 | (b.more ? 8 : 0) | b.cellIds.length,
    b.instance & 0xff,
    b.instance >> 8
  ]);
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
  for (let at = 0; at < adv.length;) {
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

/** The scan response of a beacon: the names of (some of) its cells, so a central can list them by name. */
export function encodeBeaconNames(names: string[]): Uint8Array {
  const parts = names.map((n) => Buffer.from(n, "utf8"));
  const body = parts.reduce((n, p) => n + 1 + p.length, 0);
  if (names.length > 7 || 6 + body > 31) throw new RangeError(`beacon names take ${6 + body} bytes; a scan response holds 31`);
  const out = new Uint8Array(6 + body);
  out.set([5 + body, AD_MANUFACTURER, BEACON_COMPANY & 0xff, BEACON_COMPANY >> 8, 0xce, 0x20 | names.length]);
  let at = 6;
  for (const p of parts) {
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads cell names from manufacturer data (company id first); null when it is not a names packet. */
export function decodeBeaconNamesData(md: Uint8Array): string[] | null {
  if (md.length < 4 || (md[0] | (md[1] << 8)) !== BEACON_COMPANY || md[2] !== 0xce || md[3] >> 4 !== 2) return null;
  const names: string[] = [];
  let at = 4;
  for (let i = 0; i < (md[3] & 15); i++) {
    const len = md[at];
    if (!len || at + 1 + len > md.length) return null;
    try {
      names.push(utf8.decode(md.subarray(at + 1, at + 1 + len)));
    } catch {
      return null;
    }
    at += 1 + len;
  }
  return at === md.length ? names : null;
}

/** Finds the names packet in raw scan response data. */
export function decodeBeaconNames(data: Uint8Array): string[] | null {
  if (data.length > 31) return null;
  for (let at = 0; at < data.length;) {
    const len = data[at];
    if (len === 0 || at + 1 + len > data.length) return null;
    if (data[at + 1] === AD_MANUFACTURER) {
      const found = decodeBeaconNamesData(data.subarray(at + 2, at + 1 + len));
      if (found) return found;
    }
    at += 1 + len;
  }
  return null;
}
