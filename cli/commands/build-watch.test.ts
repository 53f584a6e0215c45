// `cell build --watch`: a saved change builds the bundle again; Ctrl-C leaves with 0.
import { describe, it, expect, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { watchedCell } from "../testing/watched-cell";

const ROOT = join(__dirname, "../..");
const cellDir = watchedCell(ROOT, "hello");
afterAll(() => cellDir.remove());

async function waitFor(what: string, ok: () => boolean, ms = 120000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("cell build --watch", () => {
  it("builds again when the device code changes, and stops on Ctrl-C with 0", async () => {
    const out = join(cellDir.dir, "..", "out");
    const child = spawn(
      process.execPath,
      ["cli/bin/cell.mjs", "build", "--watch", "--no-minify", "--board", "qemu-mps2-an385", "--out", out, cellDir.dir],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"]
      }
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const bundle = join(out, "qemu-mps2-an385", "greeter.js");
    const builds = () => stdout.match(/^qemu-mps2-an385: .* bytes/gm)?.length ?? 0;
    await waitFor("the first build and the watch", () => builds() === 1 && stdout.includes("watching "));
    expect(readFileSync(bundle, "utf8")).toContain('"hello "');

    cellDir.setGreeting("goodbye");
    await waitFor("the build after the change", () => builds() === 2);
    expect(stdout).toMatch(/^changed: index\.ts; building again$/m);
    expect(readFileSync(bundle, "utf8")).toContain('"goodbye "');

    // A change that does not type-check is one line, and the watch goes on.
    cellDir.setAnswer("name + new Map().size");
    await waitFor(`the failed build's line (${stdout} ${stderr})`, () => /^cell build: .*type error/m.test(stderr));
    expect(stderr).toMatch(/index\.ts:\d+:\d+.*Map/);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 240000);
});
