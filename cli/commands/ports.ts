import { defineCommand, flag } from "../args";
import { CliError, ExitCode } from "../exit-codes";
import { boardIds, loadBoard, type Board } from "../../firmware/build/board";

/** A serial port as serialport's list() gives it (the fields used here). */
export interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/** Where the ports come from: serialport's list(), loaded only when this command runs (tests swap in its mock binding). */
export const portSource = {
  async list(): Promise<PortInfo[]> {
    const { loadOptional } = await import("../../transports/optional");
    const { SerialPort } = await loadOptional<{ SerialPort: { list(): Promise<PortInfo[]> } }>("serialport", "serial");
    try {
      return await SerialPort.list();
    } catch (e) {
      // On Linux list() spawns udevadm; without it, /sys says the same for USB serial ports.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || !/udevadm/.test(String((e as Error).message))) throw e;
      const { sysfsPorts } = await import("../ports-sysfs");
      return sysfsPorts();
    }
  }
};

const hex4 = (id: string | undefined) => (id ? id.toLowerCase().replace(/^0x/, "").padStart(4, "0") : "");

/** The boards whose `usb` ids (boards/*.json) match the port's vendor and product id, with what matched. */
export function boardsFor(port: PortInfo, boards: Board[]): { board: string; description: string }[] {
  const vid = hex4(port.vendorId);
  const pid = hex4(port.productId);
  if (!vid) return [];
  const out: { board: string; description: string }[] = [];
  for (const b of boards) {
    const hit = (b.usb || []).find((u) => u.vendorId === vid && (u.productId === undefined || u.productId === pid));
    if (hit) out.push({ board: b.id, description: hit.description });
  }
  return out;
}

export const command = defineCommand({
  name: "ports",
  summary: "list serial ports with their USB ids and the board each looks like",
  about: `One line per serial port: its path, USB vendor:product id, manufacturer, and the boards of boards/*.json
whose "usb" ids match (a USB-serial bridge such as a CP210x is shared by many boards: a likely board, not proof).`,
  options: {
    json: flag("one JSON object per port (path, vendorId, productId, manufacturer, serialNumber, boards)")
  },
  footer: "Exit codes: 0 listed (also when there are none), 4 serialport cannot be loaded or cannot list ports.",
  async run(o) {
    let ports: PortInfo[];
    try {
      ports = await portSource.list();
    } catch (e) {
      throw new CliError(`cannot list serial ports: ${(e as Error).message}`, ExitCode.Unavailable, { cause: e });
    }
    const boards = boardIds().map(loadBoard);
    const rows = ports.map((p) => ({
      path: p.path,
      vendorId: hex4(p.vendorId) || null,
      productId: hex4(p.productId) || null,
      manufacturer: p.manufacturer || null,
      serialNumber: p.serialNumber || null,
      boards: boardsFor(p, boards)
    }));
    if (o.json) {
      for (const r of rows) console.log(JSON.stringify(r));
      return ExitCode.Ok;
    }
    if (rows.length === 0) {
      console.log("no serial ports found (plug the board in; on Linux, check it appears as /dev/ttyUSB* or /dev/ttyACM*)");
      return ExitCode.Ok;
    }
    const head = ["PORT", "USB ID", "MANUFACTURER", "LOOKS LIKE"];
    const lines = rows.map((r) => [
      r.path,
      r.vendorId ? `${r.vendorId}:${r.productId ?? "????"}` : "-",
      r.manufacturer ?? "-",
      r.boards.length ? r.boards.map((b) => `${b.board} (${b.description})`).join(", ") : "-"
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    for (const l of [head, ...lines])
      console.log(
        l
          .map((c, i) => c.padEnd(widths[i]))
          .join("  ")
          .trimEnd()
      );
    return ExitCode.Ok;
  }
});
