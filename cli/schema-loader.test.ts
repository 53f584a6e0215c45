// --schema modules load the same way wherever they are: inside this ESM package or in a folder with no
// package.json (CommonJS by Node's rules), where a plain import() of .ts said "Cannot require() ES
// Module in a cycle". A module that does not load says why, in one line, exit 3.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCell } from "./testing/run-main";
import { ExitCode } from "./exit-codes";

const BIN = fileURLToPath(new URL("./bin/cell.mjs", import.meta.url));
const SCHEMA = fileURLToPath(new URL("../core/schema.ts", import.meta.url));
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cell-schema-loader-"));
  writeFileSync(
    join(dir, "echo.ts"),
    `import { cell, method, t } from ${JSON.stringify(SCHEMA)};\nexport const Echo = cell("echo", { echo: method(t.string, t.string) });\n`
  );
  writeFileSync(join(dir, "broken.ts"), "export const Echo = cell(\n");
  writeFileSync(join(dir, "nocell.ts"), "export const answer = 42;\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cell wire --schema", () => {
  it("loads a TypeScript schema module outside any ESM package (the real binary)", () => {
    const encoded = spawnSync(
      process.execPath,
      [BIN, "wire", "encode", "--schema", join(dir, "echo.ts"), "--cell", "echo", "--method", "echo", "--value", '"hi"'],
      { encoding: "utf8", cwd: dir }
    );
    expect([encoded.status, encoded.stderr]).toEqual([ExitCode.Ok, ""]);
    const decoded = spawnSync(process.execPath, [BIN, "wire", "decode", "--schema", join(dir, "echo.ts"), encoded.stdout.trim()], {
      encoding: "utf8",
      cwd: dir
    });
    expect([decoded.status, decoded.stderr]).toEqual([ExitCode.Ok, ""]);
    expect(decoded.stdout).toMatch(/cell +0x[0-9a-f]{8} +echo/);
    expect(decoded.stdout).toMatch(/method +0x[0-9a-f]{8} +echo/);
  }, 60000);

  it("says why a module does not load, in one line", async () => {
    const broken = await runCell("wire", "decode", "--schema", join(dir, "broken.ts"), "ce");
    expect(broken.code).toBe(ExitCode.BadInput);
    expect(broken.err).toMatch(/^cell wire decode: schema module .*broken\.ts does not load: .+$/);
    const none = await runCell("wire", "decode", "--schema", join(dir, "nocell.ts"), "ce");
    expect([none.code, none.err]).toEqual([
      ExitCode.BadInput,
      `cell wire decode: schema module ${join(dir, "nocell.ts")} exports no cell (make one with cell(name, {...}) and export it)`
    ]);
  }, 60000);
});
