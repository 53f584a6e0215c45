// The `cell bridge` line that `cell sim` prints next to a board's tcp:// URL: the bridge command takes it
// as it is, and its --board gives the pacing the board's link needs.
import { describe, expect, it } from "vitest";
import { parse } from "./args";
import { command as bridge } from "./commands/bridge";
import { bridgeCommand } from "./sim-support";
import { loadBoard } from "../firmware/build/board";

const URL = "tcp://127.0.0.1:41234";

/** The options `cell bridge` parses from a printed line ("cell bridge ..." split as a shell would). */
function parsed(line: string) {
  const words = line.split(" ");
  expect(words.slice(0, 2)).toEqual(["cell", "bridge"]);
  return parse({ options: bridge.options, args: bridge.args }, words.slice(2)).values as {
    board?: string;
    serial: string[];
    udp: string[];
    pacing?: { chunkBytes: number; gapMs: number } | null;
  };
}

describe("bridgeCommand", () => {
  for (const id of ["esp32", "puckjs", "espruino-pico", "rpi-pico", "qemu-mps2-an385", "qemu-mps2-an385-jerryscript"]) {
    it(`${id}: a line cell bridge parses, with the board, its link and a UDP side`, () => {
      const line = bridgeCommand(id, URL);
      expect(line).toBe(`cell bridge --board ${id} --serial ${URL} --udp 127.0.0.1:7420`);
      const o = parsed(line);
      expect(o).toMatchObject({ board: id, serial: [URL], udp: ["127.0.0.1:7420"] });
      // --pacing not given: the bridge takes the board's (cli/commands/bridge.ts).
      expect(o.pacing).toBeUndefined();
    });
  }

  it("stock Espruino boards get their link pacing through --board; the fixed variant says --pacing 0", () => {
    for (const id of ["esp32", "puckjs", "espruino-pico"])
      expect(loadBoard(id).ports.link.pacing).toMatchObject({ chunkBytes: expect.any(Number) });
    const fixed = parsed(bridgeCommand("esp32", URL, { paced: false }));
    expect(fixed).toMatchObject({ board: "esp32", serial: [URL], pacing: null });
  });
});
