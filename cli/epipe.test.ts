// `cell boards --json | head -1`: a reader that closes the pipe early is not a failure of cell.
import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";

describe("stdout closed by its reader", () => {
  it("ends cell quietly with 0, no EPIPE error", async () => {
    const child = spawn(process.execPath, ["cli/bin/cell.mjs", "boards", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    // The reader goes away before cell writes its first line: every write meets a closed pipe.
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(err).toBe("");
    expect(code).toBe(0);
  }, 30000);

  it("as in a shell pipeline into head -1", async () => {
    const child = spawn("bash", ["-c", `set -o pipefail; "${process.execPath}" cli/bin/cell.mjs boards --json | head -1`], {
      stdio: ["ignore", "pipe", "pipe"]
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(out.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(out)).toMatchObject({ id: expect.any(String), engine: expect.any(String) });
    expect(err).toBe("");
    expect(code).toBe(0);
  }, 30000);
});
