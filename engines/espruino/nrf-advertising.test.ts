// The sim's model of what an nRF52 Espruino sends for NRF.setAdvertising / NRF.setScanResponse
// (nrf-advertising.ts), on the examples of Espruino's reference for those calls.
import { describe, it, expect } from "vitest";
import { advertisingData, scanResponseData } from "./nrf-advertising";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("NRF advertising on the Puck.js sim", () => {
  it("sends an array as it is", () => {
    expect(hex(advertisingData([2, 1, 6, 5, 0xff, 0xff, 0xff, 0xce, 0x10]))).toBe("0201060" + "5ffffffce10");
  });

  it("builds flags, manufacturer data and the name from options, as Espruino does", () => {
    // Defaults (2v26+): general discoverable flags, Espruino's company id with no data, the name last.
    expect(hex(advertisingData({}, {}, "Puck.js 5a1b"))).toBe("020106" + "03ff9005" + "0d09" + Buffer.from("Puck.js 5a1b").toString("hex"));
    // The reference's example: JSON on Espruino's manufacturer id, without the name.
    const json = JSON.stringify({ a: 1, b: 2 });
    expect(hex(advertisingData({}, { showName: false, manufacturer: 0x0590, manufacturerData: json }))).toBe(
      "020106" + (3 + json.length).toString(16).padStart(2, "0") + "ff9005" + Buffer.from(json).toString("hex")
    );
    expect(hex(advertisingData({}, { discoverable: false, manufacturer: false, name: "Hi" }))).toBe("020105" + "03094869");
  });

  it("shortens a name that does not fit, and refuses more than 31 bytes", () => {
    const ad = advertisingData({}, { manufacturer: 0xffff, manufacturerData: new Array(20).fill(1), name: "a long device name" });
    expect(ad.length).toBe(31);
    expect(ad[27]).toBe(3); // AD length: type and 2 characters
    expect(ad[28]).toBe(0x08); // shortened local name
    expect(() => advertisingData(new Array(32).fill(0))).toThrow(/DATA_SIZE/);
    expect(() => advertisingData(5)).toThrow(TypeError);
  });

  it("keeps Espruino's scan response (the Nordic UART Service) unless given one", () => {
    expect(hex(scanResponseData(undefined))).toBe("1107" + "9ecadc240ee5a9e093f3a3b501" + "00406e");
    expect(hex(scanResponseData([3, 0xff, 1, 2]))).toBe("03ff0102");
  });
});
