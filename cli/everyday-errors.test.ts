// Bad input to the everyday commands: one line on stderr naming the command, a named exit code, no stack.
import { describe, expect, it } from "vitest";
import { runCell } from "./testing/run-main";
import { ExitCode } from "./exit-codes";

const rows: [argv: string[], code: number, message: RegExp][] = [
  [["boards", "esp32"], ExitCode.Usage, /^cell boards: unexpected argument "esp32" \(this command takes options only\)/],
  [["boards", "--jsn"], ExitCode.Usage, /^cell boards: unknown option --jsn/],
  [["boards", "--json=yes"], ExitCode.Usage, /^cell boards: --json takes no value/],
  [["build"], ExitCode.Usage, /^cell build: missing --board/],
  [["build", "--board", "esp32"], ExitCode.Usage, /^cell build: missing <entry>/],
  [["build", "--board", "esp33", "examples/echo"], ExitCode.Usage, /^cell build: --board takes a board of boards\/\*\.json/],
  [["build", "--board", "esp32", "no/such/cell.ts"], ExitCode.BadInput, /^cell build: entry no\/such\/cell\.ts: no such file/],
  [["build", "--board", "esp32", "--json=1", "examples/echo"], ExitCode.Usage, /^cell build: --json takes no value, got "1"/],
  [["ports", "/dev/ttyUSB0"], ExitCode.Usage, /^cell ports: unexpected argument "\/dev\/ttyUSB0"/],
  [["ports", "--all"], ExitCode.Usage, /^cell ports: unknown option --all/],
  [["--versio"], ExitCode.Usage, /^cell: unknown command "--versio"/]
];

describe("bad input to cell's commands", () => {
  it.each(rows)("cell %j exits %i with one line", async (argv, code, message) => {
    const r = await runCell(...argv);
    expect(r.code).toBe(code);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe("cell --version and cell boards", () => {
  it("prints the package's version", async () => {
    const { version } = (await import("../package.json", { with: { type: "json" } })).default;
    const r = await runCell("--version");
    expect(r).toEqual({ code: ExitCode.Ok, out: `cell ${version}`, err: "" });
  });

  it("lists every board with its engine, flash method and budget; --json one object a line", async () => {
    const { boardIds, loadBoard } = await import("../firmware/build/board");
    const table = await runCell("boards");
    expect(table.code).toBe(ExitCode.Ok);
    const lines = table.out.split("\n");
    expect(lines[0]).toMatch(/^BOARD\s+ENGINE\s+FLASH\s+BUDGET\s+FRAME\s+NAME$/);
    expect(lines).toHaveLength(boardIds().length + 1);
    expect(lines.find((l) => l.startsWith("puckjs "))).toMatch(/^puckjs\s+espruino\s+espruino-repl \(ble\)\s+8192 B\s+256 B\s+Puck\.js/);
    const json = await runCell("boards", "--json");
    const rows = json.out.split("\n").map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(boardIds());
    for (const r of rows) {
      const b = loadBoard(r.id);
      expect(r).toMatchObject({ engine: b.engine, flash: { method: b.flash.method }, budget: b.budget, maxFrameBytes: b.maxFrameBytes });
    }
  });
});
