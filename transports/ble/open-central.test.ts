// The Bluetooth libraries are optional and loaded only when a BLE link is opened. This machine has no
// Bluetooth sockets (noble throws as it loads) and no D-Bus system bus (node-ble finds no BlueZ): the
// error must say so in one line, for each library, and not crash the process.
import { describe, it, expect } from "vitest";
import { openCentral, NoBluetoothError } from "./open-central";

describe("openCentral without an adapter", () => {
  it("fails in one line naming each library's reason", async () => {
    const opened = await openCentral().then(
      (central) => central,
      (e: Error) => e
    );
    if (!(opened instanceof Error)) {
      // A machine with an adapter: then a library must have taken it.
      expect(["noble", "node-ble"]).toContain(opened.library);
      return opened.close();
    }
    const err = opened;
    expect(err).toBeInstanceOf(NoBluetoothError);
    expect(err.message).not.toContain("\n");
    expect(err.message).toMatch(/^ble: no Bluetooth adapter: noble: [^;]+; node-ble: [^;]+$/);
  }, 20000);
});
