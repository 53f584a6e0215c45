// `cell ports` against serialport's own mock binding (its list() as serialport gives it), the /sys
// fallback for systems without udevadm, and the board each port looks like by its USB ids.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPortMock } from "serialport";
import { runCell } from "../testing/run-main";
import { ExitCode } from "../exit-codes";
import { portSource } from "./ports";
import { sysfsPorts } from "../ports-sysfs";

const realList = portSource.list;
const tmp = mkdtempSync(join(tmpdir(), "cell-ports-"));
afterEach(() => {
  portSource.list = realList;
  SerialPortMock.binding.reset();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("cell ports", () => {
  it("names each port's USB id and the board it looks like; --json too", async () => {
    SerialPortMock.binding.createPort("/dev/ttyUSB0", { vendorId: "10c4", productId: "ea60", manufacturer: "Silicon Labs" });
    SerialPortMock.binding.createPort("/dev/ttyACM0", { vendorId: "0483", productId: "5740", manufacturer: "Espruino" });
    SerialPortMock.binding.createPort("/dev/ttyACM1", { vendorId: "2E8A", productId: "000a", manufacturer: "Raspberry Pi" });
    SerialPortMock.binding.createPort("/dev/ttyS4", {});
    portSource.list = () => SerialPortMock.list();
    const r = await runCell("ports");
    expect(r.code).toBe(ExitCode.Ok);
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^PORT\s+USB ID\s+MANUFACTURER\s+LOOKS LIKE$/);
    expect(lines.find((l) => l.startsWith("/dev/ttyUSB0"))).toMatch(/10c4:ea60\s+Silicon Labs\s+esp32 \(Silicon Labs CP210x/);
    expect(lines.find((l) => l.startsWith("/dev/ttyACM0"))).toMatch(/0483:5740\s+Espruino\s+espruino-pico \(Espruino's own USB CDC/);
    expect(lines.find((l) => l.startsWith("/dev/ttyACM1"))).toMatch(/2e8a:000a\s+Raspberry Pi\s+rpi-pico/);
    // No USB ids (the mock names a manufacturer anyway): no board.
    expect(lines.find((l) => l.startsWith("/dev/ttyS4"))).toMatch(/^\/dev\/ttyS4\s+-\s+\S.*\s-$/);
    const json = await runCell("ports", "--json");
    const rows = json.out.split("\n").map((l) => JSON.parse(l));
    expect(rows.find((x) => x.path === "/dev/ttyACM1")).toEqual({
      path: "/dev/ttyACM1",
      vendorId: "2e8a",
      productId: "000a",
      manufacturer: "Raspberry Pi",
      serialNumber: expect.anything(),
      boards: [{ board: "rpi-pico", description: expect.stringContaining("RP2040") }]
    });
    expect(rows.find((x) => x.path === "/dev/ttyS4").boards).toEqual([]);
  });

  it("with no ports prints one line and exits 0 (--json: nothing)", async () => {
    portSource.list = () => SerialPortMock.list();
    expect(await runCell("ports")).toEqual({ code: ExitCode.Ok, out: expect.stringMatching(/^no serial ports found[^\n]*$/), err: "" });
    expect(await runCell("ports", "--json")).toEqual({ code: ExitCode.Ok, out: "", err: "" });
  });

  it("a port list that fails is one line and exit 4", async () => {
    portSource.list = () => Promise.reject(new Error("spawn udevadm EACCES"));
    expect(await runCell("ports")).toEqual({
      code: ExitCode.Unavailable,
      out: "",
      err: "cell ports: cannot list serial ports: spawn udevadm EACCES"
    });
  });

  it("runs on this machine with the real serialport (udevadm or /sys): exit 0", async () => {
    const r = await runCell("ports");
    expect(r.err).toBe("");
    expect(r.code).toBe(ExitCode.Ok);
  });
});

describe("serial ports from /sys (no udevadm)", () => {
  it("finds ttyUSB/ttyACM devices with the ids of the USB device above their interface", () => {
    const usb = join(tmp, "devices/usb1/1-1");
    mkdirSync(join(usb, "1-1:1.0"), { recursive: true });
    for (const [f, v] of [
      ["idVendor", "1a86"],
      ["idProduct", "7523"],
      ["manufacturer", "QinHeng"],
      ["serial", "X1"]
    ])
      writeFileSync(join(usb, f), v + "\n");
    const sys = join(tmp, "class/tty");
    for (const n of ["ttyUSB0", "ttyS0", "ttyACM3"]) mkdirSync(join(sys, n), { recursive: true });
    symlinkSync(join(usb, "1-1:1.0"), join(sys, "ttyUSB0/device"));
    expect(sysfsPorts(sys, "/dev")).toEqual([
      { path: "/dev/ttyACM3" },
      { path: "/dev/ttyUSB0", vendorId: "1a86", productId: "7523", manufacturer: "QinHeng", serialNumber: "X1" }
    ]);
    expect(sysfsPorts(join(tmp, "nowhere"))).toEqual([]);
  });
});
