// A simulated Bluetooth central for tests: in-memory NUS peripherals that advertise raw advertising data
// and scan responses (AD structures, as on the air), reported as noble reports them: one manufacturer
// data per packet, the company id first.
import type { Advertisement, BleCentral } from "../ble/central";
import type { NusPeripheral } from "./nus-peripheral";

/** What the central needs of a peripheral: nusPeripheral() in memory, or tcpNusPeripheral() on a board's link. */
export type SimulatedPeripheral = Pick<NusPeripheral, "connect" | "advertising">;

export interface SimulatedDevice {
  address: string;
  peripheral: SimulatedPeripheral;
  advertising: Uint8Array;
  scanResponse?: Uint8Array;
}

/** The manufacturer-specific data of raw AD structures, as a library hands it (company id first). */
function manufacturerData(ad: Uint8Array): Uint8Array | undefined {
  for (let at = 0; at < ad.length && ad[at] > 0; at += 1 + ad[at]) if (ad[at + 1] === 0xff) return ad.subarray(at + 2, at + 1 + ad[at]);
  return undefined;
}

export function simulatedCentral(devices: SimulatedDevice[], intervalMs = 20): BleCentral & { scans: number } {
  let timer: ReturnType<typeof setInterval> | null = null;
  const central = {
    library: "simulated",
    scans: 0,
    async scan(onAdvert: (a: Advertisement) => void) {
      central.scans++;
      timer = setInterval(() => {
        for (const d of devices) {
          if (!d.peripheral.advertising) continue;
          onAdvert({ address: d.address, manufacturerData: manufacturerData(d.advertising), rssi: -60 });
          if (d.scanResponse) onAdvert({ address: d.address, manufacturerData: manufacturerData(d.scanResponse), rssi: -60 });
        }
      }, intervalMs);
    },
    stopScan() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    connector(address: string) {
      const d = devices.find((x) => x.address === address);
      if (!d) return () => Promise.reject(new Error(`${address} is not in range`));
      return (mtu: number) => d.peripheral.connect(mtu);
    },
    close() {
      central.stopScan();
    }
  };
  return central;
}
