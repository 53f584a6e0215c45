import { defineCommand, flag } from "../args";
import { ExitCode } from "../exit-codes";
import { boardIds, loadBoard, type Board } from "../../firmware/build/board";

/** What `cell boards --json` prints per board: what a script needs to pick one and flash it. */
export function boardSummary(b: Board) {
  return {
    id: b.id,
    name: b.name,
    engine: b.engine,
    firmware: b.firmware.name + (b.firmware.minVersion ? ` >= ${b.firmware.minVersion}` : ""),
    flash: { method: b.flash.method, transport: b.flash.transport },
    budget: b.budget,
    maxFrameBytes: b.maxFrameBytes,
    codecs: b.codecs,
    links: b.links,
    usb: b.usb ?? []
  };
}

export const command = defineCommand({
  name: "boards",
  summary: "list the boards a cell can be built for: engine, flash method, size budget",
  about: "One line per board of boards/*.json: its id (for --board), engine, how it is flashed, the bundle budget and frame size.",
  options: {
    json: flag("one JSON object per board instead of a table")
  },
  async run(o) {
    const boards = boardIds().map((id) => boardSummary(loadBoard(id)));
    if (o.json) {
      for (const b of boards) console.log(JSON.stringify(b));
      return ExitCode.Ok;
    }
    const head = ["BOARD", "ENGINE", "FLASH", "BUDGET", "FRAME", "NAME"];
    const rows = boards.map((b) => [
      b.id,
      b.engine,
      `${b.flash.method} (${b.flash.transport})`,
      `${b.budget.maxBundleBytes} B`,
      `${b.maxFrameBytes} B`,
      b.name
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows])
      console.log(
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join("  ")
          .trimEnd()
      );
    return ExitCode.Ok;
  }
});
