// What an nRF52 Espruino (Puck.js) sends on the air for NRF.setAdvertising(data, options) and
// NRF.setScanResponse(data), for the Linux build, which has no NRF object: the sim records the calls
// (sim.ts) and this turns them into advertising data as Espruino 2v29 does on nRF5x
// (libs/bluetooth/jswrap_bluetooth.c, _jswrap_ble_getAdvertisingData, with Nordic's ble_advdata encoder):
//   - an array (or array of bytes) for `data` is the advertising data as it is;
//   - otherwise flags (general discoverable, 0x06, unless `discoverable: false`: 0x05, or `flags: false`),
//     then manufacturer data (company 0x0590 with no data unless `manufacturer` says otherwise; 0/false:
//     none), then the name (`showName`, default true) last, which Nordic's encoder shortens (AD type
//     0x08) to what room is left; service data is not modelled;
//   - more than 31 bytes is Nordic's NRF_ERROR_DATA_SIZE, which Espruino throws.
// The scan response is the raw bytes given, or Espruino's default: the Nordic UART Service's UUID.

export const AD_LIMIT = 31;
const ESPRUINO_COMPANY = 0x0590;
/** 128-bit NUS service UUID, little-endian, in a "complete list of 128-bit UUIDs" AD structure. */
const NUS_SCAN_RESPONSE = [0x11, 0x07, 0x9e, 0xca, 0xdc, 0x24, 0x0e, 0xe5, 0xa9, 0xe0, 0x93, 0xf3, 0xa3, 0xb5, 0x01, 0x00, 0x40, 0x6e];

export interface AdvertisingOptions {
  name?: string;
  showName?: boolean;
  discoverable?: boolean;
  flags?: boolean;
  manufacturer?: number | boolean;
  manufacturerData?: number[] | string;
}

/** The recorded calls, as JSON from the board (what the bundle passed, unchanged). */
export interface NrfCalls {
  advertising?: [data: unknown, options?: AdvertisingOptions];
  scanResponse?: number[] | string | null;
}

function bytes(v: number[] | string): number[] {
  return typeof v === "string" ? [...v].map((c) => c.charCodeAt(0) & 255) : v.map((b) => Number(b) & 255);
}

function checked(ad: number[], what: string): Uint8Array {
  if (ad.length > AD_LIMIT)
    throw new Error(`NRF.${what}: ${ad.length} bytes, more than ${AD_LIMIT}: Espruino throws BLE error 0xc (DATA_SIZE)`);
  return new Uint8Array(ad);
}

/** The advertising data for NRF.setAdvertising(data, options) on a device named `deviceName`. */
export function advertisingData(data: unknown, options: AdvertisingOptions = {}, deviceName = "Puck.js 5a1b"): Uint8Array {
  if (Array.isArray(data) || typeof data === "string") return checked(bytes(data as number[]), "setAdvertising");
  if (data !== undefined && (data === null || typeof data !== "object"))
    throw new TypeError(`NRF.setAdvertising: Expecting Object, Array or undefined, got ${typeof data}`);
  if (data && Object.keys(data).length) throw new Error("sim: NRF.setAdvertising with service data is not modelled");
  const ad: number[] = [];
  const flags = options.flags === false ? 0 : options.discoverable === false ? 0x05 : 0x06;
  if (flags) ad.push(2, 0x01, flags);
  const company = options.manufacturer === undefined ? ESPRUINO_COMPANY : options.manufacturer ? Number(options.manufacturer) : null;
  if (company !== null) {
    const md = options.manufacturerData ? bytes(options.manufacturerData) : [];
    ad.push(3 + md.length, 0xff, company & 255, (company >> 8) & 255, ...md);
  }
  if (options.showName !== false) {
    const name = bytes(options.name ?? deviceName);
    const room = AD_LIMIT - ad.length - 2;
    if (room > 0) ad.push(1 + Math.min(room, name.length), name.length > room ? 0x08 : 0x09, ...name.slice(0, room));
  }
  return checked(ad, "setAdvertising");
}

/** The scan response: the raw bytes NRF.setScanResponse got, or Espruino's default. */
export function scanResponseData(data: number[] | string | null | undefined): Uint8Array {
  return checked(data === undefined || data === null ? NUS_SCAN_RESPONSE : bytes(data), "setScanResponse");
}
