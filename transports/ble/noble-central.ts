// A BleCentral on @abandonware/noble (HCI sockets on Linux, CoreBluetooth on macOS), loaded only here.
// Not exercised by this repository's tests: their machine has no Bluetooth sockets (noble throws on load).
import type { Advertisement, BleCentral } from "./central";
import type { NusSession } from "./session";
import { NUS_RX, NUS_SERVICE, NUS_TX } from "./session";

type Noble = any;

const bare = (uuid: string) => uuid.replace(/-/g, "");

async function poweredOn(noble: Noble, ms: number): Promise<void> {
  if (noble.state === "poweredOn") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Bluetooth adapter ready (noble reports "${noble.state}")`)), ms);
    noble.on("stateChange", (s: string) => {
      if (s !== "poweredOn") return;
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function nobleCentral(noble: Noble): Promise<BleCentral> {
  await poweredOn(noble, 3000);
  const seen = new Map<string, any>();
  let listener: ((a: Advertisement) => void) | null = null;
  noble.on("discover", (p: any) => {
    seen.set(p.address || p.id, p);
    if (listener)
      listener({
        address: p.address || p.id,
        name: p.advertisement?.localName,
        manufacturerData: p.advertisement?.manufacturerData,
        rssi: p.rssi
      });
  });
  return {
    library: "noble",
    async scan(onAdvert) {
      listener = onAdvert;
      await noble.startScanningAsync([], true);
    },
    stopScan: () => void noble.stopScanningAsync(),
    connector: (address) => async () => {
      const p = seen.get(address);
      if (!p) throw new Error(`${address} has not been seen advertising`);
      await p.connectAsync();
      const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync([bare(NUS_SERVICE)], [bare(NUS_RX), bare(NUS_TX)]);
      const rx = characteristics.find((c: any) => c.uuid === bare(NUS_RX));
      const tx = characteristics.find((c: any) => c.uuid === bare(NUS_TX));
      if (!rx || !tx) {
        await p.disconnectAsync();
        throw new Error(`${address} has no Nordic UART Service`);
      }
      await tx.subscribeAsync();
      const name = p.advertisement?.localName ? `${p.advertisement.localName} (${address})` : address;
      const session: NusSession = {
        name,
        mtu: p.mtu || 23, // noble exchanges the MTU while connecting
        write: (chunk) => rx.writeAsync(Buffer.from(chunk), true),
        onNotify: (cb) => tx.on("data", (data: Buffer) => cb(data)),
        onDisconnect: (cb) => p.once("disconnect", (reason?: unknown) => cb(reason === undefined ? "" : String(reason))),
        disconnect: () => void p.disconnectAsync()
      };
      return session;
    },
    close() {
      void noble.stopScanningAsync();
      noble.removeAllListeners("discover");
    }
  };
}
