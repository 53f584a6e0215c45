// Every board file validates against boards/board.schema.json, is named after its id, and its
// numbers agree with each other (JsVar arithmetic, budgets below RAM and flash).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020";
import { entrySource, halOf } from "../firmware/build";
import { personalityOf } from "../engines/boards";

const dir = fileURLToPath(new URL("../boards/", import.meta.url));
const schema = JSON.parse(readFileSync(dir + "board.schema.json", "utf8"));
const files = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "board.schema.json");
const boards = files.map((f) => ({ file: f, board: JSON.parse(readFileSync(dir + f, "utf8")) }));

describe("boards/", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(schema);

  it("has the required boards", () => {
    const ids = boards.map((b) => b.board.id).sort();
    expect(ids).toEqual(expect.arrayContaining(["esp32", "puckjs", "espruino-pico", "rpi-pico", "qemu-mps2-an385", "host"]));
  });

  for (const { file, board } of boards) {
    it(`${file} validates and is named after its id`, () => {
      const ok = validate(board);
      expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
      expect(ok).toBe(true);
      expect(file).toBe(board.id + ".json");
    });

    it(`${file} has consistent limits`, () => {
      const jv = board.ramAccounting.jsVars;
      if (board.engine === "espruino") {
        expect(jv, "an Espruino board states its JsVar count").toBeDefined();
        // Espruino picks the JsVar format from the variable count (src/jsutils.h).
        const each = jv.count <= 2047 ? 12 : jv.count <= 8191 ? 13 : jv.count <= 16383 ? 14 : 16;
        expect(jv.bytesEach).toBe(each);
        expect(board.ramBytes).toBe(jv.count * jv.bytesEach);
      } else {
        expect(jv).toBeUndefined();
      }
      if (board.mcu.sramBytes > 0) expect(board.ramBytes).toBeLessThan(board.mcu.sramBytes);
      if (board.flashBytes > 0) expect(board.budget.maxBundleBytes).toBeLessThanOrEqual(board.flashBytes);
      expect(board.codecs).toContain("compact");
      expect(board.flash.command).toContain("{bundle}");
    });
  }

  it("QEMU boards (firmware cell-sim) take the sim adapter and personality whatever engine they embed", () => {
    const sims = boards.filter((b) => b.board.firmware.name === "cell-sim").map((b) => b.board);
    expect(sims.map((b) => `${b.id}:${b.engine}`).sort()).toEqual(["qemu-mps2-an385-jerryscript:jerryscript", "qemu-mps2-an385:duktape"]);
    for (const b of sims) {
      expect(halOf(b)).toBe("duktape"); // firmware/adapters/duktape-sim.ts, the native `sim` object
      expect(personalityOf(b)).toBe("sim");
      expect(entrySource(b, "/x/cell.ts", ["compact"], false)).toContain(`openLink({"maxFrame":${b.maxFrameBytes}}).frames`);
    }
    const pico = boards.find((b) => b.board.id === "rpi-pico")!.board;
    expect(halOf(pico)).toBe("jerryscript"); // Kaluma keeps its own adapter
  });

  it("rejects a board with a wrong engine or a missing field", () => {
    const bad = { ...boards[0].board, engine: "micropython" };
    expect(validate(bad)).toBe(false);
    const { ramBytes: _drop, ...missing } = boards[0].board;
    expect(validate(missing)).toBe(false);
  });
});
