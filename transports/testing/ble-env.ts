// For tests only: `cell bridge --ble` against simulated peripherals, on a machine without Bluetooth.
// When CELL_TEST_BLE_PERIPHERALS is set, the bridge's BLE side uses a simulated central (ble-central.ts)
// instead of noble or node-ble. Its value is JSON: a list of
//   { "address": "c7:1f:...", "nus": "tcp://127.0.0.1:PORT", "advertising": "<hex>", "scanResponse": "<hex>", "maxMtu": 23 }
// each a peripheral whose Nordic UART Service is the byte stream at `nus` (tcp-nus.ts; the Espruino sim
// serves its board's Bluetooth there) and which advertises the raw AD bytes given.
import type { BleCentral } from "../ble/central";
import { simulatedCentral } from "./ble-central";
import { tcpNusPeripheral } from "./tcp-nus";

export const SIMULATED_BLE_ENV = "CELL_TEST_BLE_PERIPHERALS";

export interface SimulatedPeripheralSpec {
  address: string;
  nus: string;
  advertising: string;
  scanResponse?: string;
  maxMtu?: number;
}

const hex = (text: string, what: string): Uint8Array => {
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new Error(`${SIMULATED_BLE_ENV}: ${what} is not hex: ${text}`);
  return new Uint8Array(Buffer.from(text, "hex"));
};

export function simulatedCentralFromEnv(value: string): BleCentral {
  let specs: SimulatedPeripheralSpec[];
  try {
    specs = JSON.parse(value);
    if (!Array.isArray(specs)) throw new Error("not a list");
  } catch (e) {
    throw new Error(`${SIMULATED_BLE_ENV}: not a JSON list of peripherals: ${(e as Error).message}`);
  }
  return simulatedCentral(
    specs.map((s) => ({
      address: s.address,
      peripheral: tcpNusPeripheral(s.nus, { maxMtu: s.maxMtu, name: s.address }),
      advertising: hex(s.advertising, "advertising"),
      scanResponse: s.scanResponse ? hex(s.scanResponse, "scanResponse") : undefined
    }))
  );
}
