// `cell build` on device code as people write it: type errors against ES5 fail with exit 1 and say, per
// line, what to use instead on the engine.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCell } from "../testing/run-main";
import { ExitCode } from "../exit-codes";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cell-build-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("cell build refuses device code an ES5 engine cannot run", () => {
  it("exits 1 with one line per type error: file, line, and what to use instead (never a newer lib)", async () => {
    writeFileSync(
      join(tmp, "modern.schema.ts"),
      `import { cell, method, t } from ${JSON.stringify(join(ROOT, "core/schema"))};\nexport var Modern = cell("modern", { go: method(t.string, t.u32) });\n`
    );
    const entry = join(tmp, "modern.ts");
    writeFileSync(
      entry,
      [
        `import type { DeviceCell } from ${JSON.stringify(join(ROOT, "firmware/runtime"))};`,
        `import { Modern } from "./modern.schema";`,
        `var seen = new Map<string, number>();`,
        `async function later(): Promise<number> { return 1; }`,
        `var c: DeviceCell<typeof Modern.members> = { def: Modern, handlers: { go: function (s: string) {`,
        `  var n = [1, 2].includes(s.length) ? Object.entries({ a: 1 }).length : 0;`,
        `  seen.set(s, n); void later();`,
        `  return n;`,
        `} } };`,
        `export default [c];`
      ].join("\n")
    );
    const r = await runCell("build", "--board", "puckjs", "--out", join(tmp, "out"), entry);
    expect(r.code).toBe(ExitCode.Failed);
    const lines = r.err.split("\n");
    expect(lines[lines.length - 1]).toMatch(
      /^cell build: .*modern\.ts for puckjs: device code does not build for an ES5 engine: \d+ type errors$/
    );
    const line = (n: number) => lines.filter((l) => l.includes(`modern.ts:${n}:`)).join("\n");
    expect(line(3)).toMatch(/Map.* -- on an ES5 engine, use a plain object/);
    expect(line(4)).toMatch(/use ctx\.defer\(\) in a handler, or callbacks/);
    expect(line(6)).toMatch(/'includes'.* -- on an ES5 engine, use indexOf\(x\) >= 0/);
    expect(line(6)).toMatch(/'entries'.* -- on an ES5 engine, use Object\.keys\(o\) and read o\[key\]/);
    expect(r.err).not.toMatch(/es2015|es2016|es2017|'lib'|--lib/i);
    expect(r.out).toBe("");
  }, 120000);
});

describe("cell build --json", () => {
  it("prints one JSON object per bundle: board, path, bytes, gzip bytes, budget, cells", async () => {
    const out = join(tmp, "json");
    const r = await runCell("build", "--board", "puckjs,esp32", "--json", "--out", out, join(ROOT, "examples/echo"));
    expect(r.code).toBe(ExitCode.Ok);
    const rows = r.out.split("\n").map((l) => JSON.parse(l));
    expect(rows.map((x) => x.board)).toEqual(["puckjs", "esp32"]);
    for (const x of rows) {
      expect(x.path).toBe(join(out, x.board, "echo.js"));
      expect(x.bytes).toBe(statSync(x.path).size);
      expect(x.gzipBytes).toBeGreaterThan(0);
      expect(x.budget).toBe(x.board === "puckjs" ? 8192 : 32768);
      expect(x.cells).toEqual([{ name: "echo", id: expect.any(Number), schemaHash: expect.stringMatching(/^[0-9a-f]{8}$/) }]);
    }
  }, 120000);
});

describe("cell build --mavlink", () => {
  it("builds the bundle whose link speaks MAVLink as that node, as buildBundle({mavlink}) does", async () => {
    const { buildBundle } = await import("../../firmware/build");
    const out = join(tmp, "mavlink");
    const r = await runCell(
      "build",
      "--board",
      "esp32",
      "--codecs",
      "compact",
      "--mavlink",
      "1/191",
      "--json",
      "--out",
      out,
      join(ROOT, "examples/echo")
    );
    expect(r.code).toBe(ExitCode.Ok);
    const row = JSON.parse(r.out);
    const same = await buildBundle({
      board: "esp32",
      entry: join(ROOT, "examples/echo"),
      codecs: ["compact"],
      outDir: join(tmp, "mavlink-api"),
      mavlink: { system: 1, component: 191 }
    });
    const plain = await buildBundle({
      board: "esp32",
      entry: join(ROOT, "examples/echo"),
      codecs: ["compact"],
      outDir: join(tmp, "mavlink-plain")
    });
    expect(readFileSync(row.path, "utf8")).toBe(readFileSync(same.path, "utf8"));
    expect(row.bytes).toBeGreaterThan(plain.bytes + 1000); // the HEARTBEAT + TUNNEL link (about 1.3 KB)
    const bad = await runCell("build", "--board", "esp32", "--mavlink", "0/191", join(ROOT, "examples/echo"));
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.err).toMatch(/^cell build: --mavlink takes system\/component, each 1\.\.255 \(e\.g\. 1\/191\), got "0\/191"/);
  }, 180000);
});
