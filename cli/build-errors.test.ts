// `cell build` failures are one line and a named exit code, never a stack trace: here the case that
// needs rollup (a cell whose schema module is not there). A missing entry and an unknown board are in
// cli-errors.test.ts.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode } from "./exit-codes";

const BIN = fileURLToPath(new URL("./bin/cell.mjs", import.meta.url));
const RUNTIME = fileURLToPath(new URL("../firmware/runtime.ts", import.meta.url));
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cell-build-errors-"));
  writeFileSync(
    join(dir, "echo.ts"),
    `import type { DeviceCell } from ${JSON.stringify(RUNTIME)};\nimport { Echo } from "./schema";\n` +
      `export var echoCell: DeviceCell<typeof Echo.members> = { def: Echo, handlers: { echo: function (s: string) { return s; } } };\nexport default [echoCell];\n`
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cell build", () => {
  it("says which import is missing when a cell's schema module is not there", async () => {
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "build", "--board", "esp32", "--out", join(dir, "out"), join(dir, "echo.ts")], {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, CELL_DEBUG: "" }
      });
      let err = "";
      child.stderr.on("data", (b) => (err += b));
      child.on("close", (code) => resolve({ code, err }));
    });
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err).toMatch(/^cell build: .*echo\.ts does not build for esp32: Could not resolve "\.\/schema" from .*\n$/);
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
  }, 120000);
});
