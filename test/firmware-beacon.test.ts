// The beacon a BLE board's bundle advertises (firmware/build/beacon.ts, made at build time) read back
// with the host's parser (transports/ble/beacon.ts): the advertising data Espruino sends for the
// generated NRF.setAdvertising call (its flags, then the manufacturer data) and the scan response.
import { describe, expect, it } from "vitest";
import { advertiseSource } from "../firmware/build/beacon";
import { decodeBeacon, decodeBeaconNames, encodeBeacon, encodeBeaconNames } from "../transports/ble/beacon";
import { fnv1a32String } from "../core/fnv";

/** Runs the generated call with `instance` and returns what it hands the adapter's advertise(). */
function run(cells: { name: string; id: number }[], instance: number): { data: number[]; names?: number[] } {
  let got: { data: number[]; names?: number[] } | null = null;
  new Function("advertise", "instance", advertiseSource(cells, "instance"))(
    (data: number[], names?: number[]) => (got = { data, names }),
    instance
  );
  return got!;
}

/** An array given to NRF.setAdvertising is the advertising data as it is. */
const air = (data: number[]) => new Uint8Array(data);

const cell = (name: string) => ({ name, id: fnv1a32String(name) });

describe("a BLE board's beacon, made at build time", () => {
  it("lists the cells with the instance id the device picks, and names them in the scan response", () => {
    const { data, names } = run([cell("thermo")], 0x00090b0a);
    expect(air(data)).toEqual(encodeBeacon({ instance: 0x0b0a, cellIds: [cell("thermo").id], more: false }));
    expect(Buffer.from(air(data)).toString("hex")).toBe("020106" + "0bffffffce110a0b9ee32c2d"); // spec/ble.md's example
    expect(new Uint8Array(names!)).toEqual(encodeBeaconNames(["thermo"]));
  });

  it("lists five cells at most (more set) and the names that fit in 31 bytes", () => {
    const cells = ["a", "bb", "thermo", "a-rather-long-cell-name", "echo", "sixth"].map(cell);
    const { data, names } = run(cells, 0xffff);
    expect(air(data).length).toBe(31);
    expect(decodeBeacon(air(data))).toEqual({ instance: 0xffff, cellIds: cells.slice(0, 5).map((c) => c.id), more: true });
    expect(decodeBeaconNames(new Uint8Array(names!))).toEqual(["a", "bb", "thermo", "echo"]);
    expect(names!.length).toBeLessThanOrEqual(31);
  });

  it("leaves the scan response alone when no name fits", () => {
    const { data, names } = run([cell("x".repeat(30))], 1);
    expect(decodeBeacon(air(data))).toEqual({ instance: 1, cellIds: [cell("x".repeat(30)).id], more: false });
    expect(names).toBeUndefined();
  });
});
