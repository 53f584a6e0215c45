// What a BLE board advertises (spec/ble.md §2), made at build time from the bundle's cells: the
// advertising data (flags, then the manufacturer data: company id, magic, version and count, a 16-bit
// instance id the device fills in, up to five cell ids) and the scan response with as many of their
// names as fit.

export const BEACON_MAX_CELLS = 5;
const AD_LIMIT = 31;

export interface BeaconCell {
  name: string;
  id: number;
}

const u32 = (v: number) => [0, 8, 16, 24].map((s) => (v >>> s) & 255);

/** The generated entry's call: `advertise([advertising data], [scan response])` with the instance id from `instance`. */
export function advertiseSource(cells: BeaconCell[], instance: string): string {
  const listed = cells.slice(0, BEACON_MAX_CELLS);
  const head = [0xce, 0x10 | (cells.length > listed.length ? 8 : 0) | listed.length];
  const ids = listed.flatMap((c) => u32(c.id));
  const names: number[] = [];
  let count = 0;
  for (const c of listed) {
    // ASCII only (the ANNOUNCE's rule too): one byte per character. A name that does not fit is left
    // out; the cell is listed once connected, from the device's ANNOUNCE.
    if (6 + names.length + 1 + c.name.length > AD_LIMIT) continue;
    names.push(c.name.length, ...[...c.name].map((ch) => ch.charCodeAt(0)));
    count++;
  }
  const response = count ? [5 + names.length, 0xff, 0xff, 0xff, 0xce, 0x20 | count, ...names] : [];
  // The whole advertising data, flags first: Espruino sends an array as it is.
  const adv = [2, 0x01, 0x06, 3 + 4 + ids.length, 0xff, 0xff, 0xff, ...head];
  const data = `[${adv.join(", ")}, ${instance} & 255, (${instance} >> 8) & 255${ids.length ? ", " + ids.join(", ") : ""}]`;
  // Without names, no second argument: NRF.setScanResponse(undefined) keeps Espruino's own scan response.
  return `advertise(${data}${count ? `, [${response.join(", ")}]` : ""});`;
}

