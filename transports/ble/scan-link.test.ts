// The BLE scan link keeps bounded state: only Cell devices are remembered, at most maxDevices of them.
import { describe, it, expect } from "vitest";
import { BleScanLink } from "./scan-link";
import { encodeBeacon } from "./beacon";
import { nusPeripheral } from "../testing/nus-peripheral";
import { simulatedCentral } from "../testing/ble-central";
import { until } from "../../test/bridge-fixtures";

describe("BleScanLink state", () => {
  it("forgets non-Cell advertisers and bounds the devices it remembers", async () => {
    const peripheral = nusPeripheral();
    const other = new Uint8Array([2, 1, 6, 7, 0xff, 0x59, 0x00, 1, 2, 3, 4]); // Nordic's company id: not a Cell beacon
    const devices = Array.from({ length: 300 }, (_, i) => ({
      address: `aa:00:00:00:${(i >> 8).toString(16)}:${(i & 255).toString(16)}`,
      peripheral,
      advertising: encodeBeacon({ instance: i, cellIds: [1], more: false })
    }));
    const central = simulatedCentral([...devices, { address: "bb:bb", peripheral, advertising: other }], 5);
    const link = new BleScanLink(central, { maxDevices: 100 });
    await link.start();
    const known = () => (link as unknown as { devices: Map<string, unknown> }).devices;
    await until(() => known().size === 100, 3000);
    await new Promise((r) => setTimeout(r, 30));
    expect(known().size).toBe(100);
    expect(known().has("bb:bb")).toBe(false);
    link.close();
  });
});
