import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCell } from "../testing/run-main";
import { ExitCode } from "../exit-codes";

const dir = mkdtempSync(join(tmpdir(), "cell-new-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cell new", () => {
  it("writes a project whose package.json names the board, the simulated board, the sources and this SDK", async () => {
    const target = join(dir, "My Proj");
    const r = await runCell("new", target, "--board", "puckjs");
    expect(r.code, r.err).toBe(ExitCode.Ok);
    const pkg = JSON.parse(readFileSync(join(target, "package.json"), "utf8"));
    expect(pkg).toMatchObject({ name: "my-proj", type: "module", cell: { board: "puckjs", sim: "qemu-mps2-an385", src: "src" } });
    expect(resolve(target, pkg.devDependencies.cell.replace(/^file:/, ""))).toBe(resolve(__dirname, "../.."));
    expect(pkg.scripts.test).toBe("node --import tsx --test test/hello.test.ts");
    expect(readFileSync(join(target, "src/schema.ts"), "utf8")).toContain('from "cell/core/schema"');
    expect(readFileSync(join(target, "test/hello.test.ts"), "utf8")).toContain('startSim({ board: "qemu-mps2-an385" })');
    expect(readFileSync(join(target, "README.md"), "utf8")).toContain("npx cell flash --board puckjs");
  });

  it("takes --sdk as given", async () => {
    const r = await runCell("new", join(dir, "b"), "--board", "esp32", "--sdk", "file:../cell-0.1.0.tgz");
    expect(r.code, r.err).toBe(ExitCode.Ok);
    expect(JSON.parse(readFileSync(join(dir, "b", "package.json"), "utf8")).devDependencies.cell).toBe("file:../cell-0.1.0.tgz");
  });

  it("refuses a folder that is not empty (exit 3) and an unknown board (exit 2)", async () => {
    mkdirSync(join(dir, "full"));
    writeFileSync(join(dir, "full", "x"), "");
    const full = await runCell("new", join(dir, "full"), "--board", "esp32");
    expect(full.code).toBe(ExitCode.BadInput);
    const bad = await runCell("new", join(dir, "c"), "--board", "nope");
    expect(bad.code).toBe(ExitCode.Usage);
  });
});
