// Serial ports from Linux's /sys when serialport's list() cannot run: it spawns `udevadm`, which
// containers and minimal systems lack. USB serial devices only (ttyUSB*, ttyACM*), with their USB ids.
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PortInfo } from "./commands/ports";

const read = (dir: string, name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8").trim() : undefined);

/** The ports under `sys` (default /sys/class/tty), each with the ids of the USB device above it. */
export function sysfsPorts(sys = "/sys/class/tty", dev = "/dev"): PortInfo[] {
  if (!existsSync(sys)) return [];
  const out: PortInfo[] = [];
  for (const name of readdirSync(sys)
    .filter((n) => /^tty(USB|ACM)\d+$/.test(n))
    .sort()) {
    const port: PortInfo = { path: join(dev, name) };
    // The tty's device is a USB interface; the USB device with idVendor is a level or two up.
    let dir = existsSync(join(sys, name, "device")) ? realpathSync(join(sys, name, "device")) : "";
    for (let i = 0; dir && i < 4; i++, dir = dirname(dir)) {
      const vendorId = read(dir, "idVendor");
      if (vendorId === undefined) continue;
      Object.assign(port, {
        vendorId,
        productId: read(dir, "idProduct"),
        manufacturer: read(dir, "manufacturer"),
        serialNumber: read(dir, "serial")
      });
      break;
    }
    out.push(port);
  }
  return out;
}
