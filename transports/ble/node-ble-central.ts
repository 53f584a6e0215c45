// A BleCentral on node-ble (BlueZ over the system D-Bus), loaded only here. Scanning lists devices but
// node-ble gives no manufacturer data, so beacons need noble; connecting works with either. BlueZ
// negotiates the MTU without telling node-ble: writes use the 20 bytes every link allows.
// Not exercised by this repository's tests: their machine has no D-Bus system bus and no adapter.
import type { BleCentral } from "./central";
import type { NusSession } from "./session";
import { NUS_RX, NUS_SERVICE, NUS_TX } from "./session";

export async function nodeBleCentral(mod: any): Promise<BleCentral> {
  const { bluetooth, destroy } = mod.createBluetooth();
  // dbus-next reports a missing system bus as an 'error' event (unhandled, it would end the process),
  // and the adapter query then never answers: the first of error, answer or 5 s wins.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    if (bluetooth.dbus && typeof bluetooth.dbus.on === "function") bluetooth.dbus.on("error", reject);
    timer = setTimeout(() => reject(new Error("no answer from BlueZ within 5 s")), 5000);
  });
  let adapter: any;
  try {
    adapter = await Promise.race([bluetooth.defaultAdapter(), failed]);
  } catch (e) {
    destroy();
    throw new Error(`BlueZ is not reachable on D-Bus: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  return {
    library: "node-ble",
    async scan() {
      if (!(await adapter.isDiscovering())) await adapter.startDiscovery();
    },
    stopScan: () => void adapter.stopDiscovery().catch(() => {}),
    connector: (address) => async () => {
      const device = await adapter.waitDevice(address.toUpperCase());
      await device.connect();
      const gatt = await device.gatt();
      const service = await gatt.getPrimaryService(NUS_SERVICE);
      const rx = await service.getCharacteristic(NUS_RX);
      const tx = await service.getCharacteristic(NUS_TX);
      await tx.startNotifications();
      const session: NusSession = {
        name: address,
        mtu: 23,
        write: (chunk) => rx.writeValueWithoutResponse(Buffer.from(chunk)),
        onNotify: (cb) => tx.on("valuechanged", (data: Buffer) => cb(data)),
        onDisconnect: (cb) => device.once("disconnect", () => cb("")),
        disconnect: () => void device.disconnect().catch(() => {})
      };
      return session;
    },
    close: () => destroy()
  };
}
