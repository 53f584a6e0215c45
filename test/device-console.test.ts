// console.log/warn/error in device code reach the board's HAL log on every adapter, including the QEMU
// sim's, whose engine has no console (engines/personalities/sim.js deletes it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle, loadBoard, type BundleInfo } from "../firmware/build";
import { startEngine, ensureDuktapeRunner, type EngineName } from "../engines/index";
import { boardEngineOptions } from "../engines/boards";
import { streamLink } from "../core/stream-link";
import { remote } from "../core/host/remote";
import type { CellDef } from "../core/schema";
import { waitFor } from "./wait-for";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BOARDS = ["esp32", "puckjs", "rpi-pico", "qemu-mps2-an385"];
const tmp = mkdtempSync(join(tmpdir(), "cell-console-"));
const built: Record<string, BundleInfo> = {};
const schemaFile = join(tmp, "talk.schema.ts");
const entry = join(tmp, "talk.ts");

beforeAll(async () => {
  ensureDuktapeRunner();
  writeFileSync(
    schemaFile,
    `import { cell, method, t } from ${JSON.stringify(join(ROOT, "core/schema"))};\nexport var Talk = cell("talk", { say: method(t.string, t.u32) });\n`
  );
  writeFileSync(
    entry,
    [
      `import type { DeviceCell } from ${JSON.stringify(join(ROOT, "firmware/runtime"))};`,
      `import { Talk } from "./talk.schema";`,
      `var c: DeviceCell<typeof Talk.members> = { def: Talk, handlers: { say: function (s: string) {`,
      `  console.log("said", s, { n: s.length });`,
      `  console.warn("warned " + s);`,
      `  console.error("failed", 7);`,
      `  return s.length;`,
      `} } };`,
      `export default [c];`
    ].join("\n")
  );
  for (const board of BOARDS) built[board] = await buildBundle({ board, entry, outDir: tmp });
  built.echo = await buildBundle({ board: "puckjs", entry: join(ROOT, "examples/echo"), outDir: tmp });
}, 180000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("console in device code", () => {
  for (const board of BOARDS) {
    for (const engine of ["duktape", "quickjs"] as EngineName[]) {
      it(`goes to the HAL log on ${board} in ${engine}`, async () => {
        const { Talk } = await import(schemaFile);
        const b = loadBoard(board);
        const e = await startEngine({ ...boardEngineOptions(b, engine, built[board].path, {}, false), clock: "real" });
        try {
          const talk = remote(Talk as CellDef<any>, streamLink(e, { maxFrame: b.maxFrameBytes }), { timeoutMs: 3000 });
          expect(await talk.say("hi")).toBe(2);
          // stderr (the log) and stdout (the link) are separate pipes: the lines may come after the answer.
          await waitFor("the console lines", () => e.logs.includes("failed 7"));
          expect(e.logs).toContain('said hi {"n":2}');
          expect(e.logs).toContain("warned hi");
          expect(e.logs).toContain("failed 7");
        } finally {
          e.close();
          await e.exited;
        }
      });
    }
  }

  it("costs nothing in a cell that does not name console", () => {
    expect(readFileSync(join(ROOT, "examples/echo/echo.ts"), "utf8")).not.toMatch(/\bconsole\b/);
    expect(readFileSync(built.puckjs.path, "utf8")).toContain("JSON.stringify");
    expect(readFileSync(built.echo.path, "utf8")).not.toContain("JSON.stringify");
  });
});
