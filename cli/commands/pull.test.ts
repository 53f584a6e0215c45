// cell pull against cells served on loopback UDP: the generated cells/<name>.ts is the schema in the DSL
// (types inferred: checked with tsc), Cell.lock pins its hash, and a remote whose schema changed is
// refused by `cell pull` and by the generated client's first call, with the hashes in the message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openUdp, UdpTransport } from "../../transports/udp";
import { serve } from "../../core/host/serve";
import { cell, event, method, t } from "../../core/schema";
import { hex32 } from "../../core/hex";
import { Thermo, Unit } from "../../examples/thermo/schema";
import { cellIn } from "../testing/run-main";
import { ExitCode } from "../exit-codes";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** thermo after its authors changed read's answer to f64: a new species, same name. */
const Thermo2 = cell("thermo", {
  read: method(Unit, t.struct({ unit: Unit, value: t.f64 })),
  setThreshold: method(t.f32, t.f32),
  alarm: event(t.struct({ value: t.f32, threshold: t.f32 }))
});
const tmp = mkdtempSync(join(tmpdir(), "cell-pull-"));
const links: UdpTransport[] = [];
let original = "";
let speciated = "";

/** A process's output and exit status, without blocking this one (tsc takes a while on a loaded machine). */
function run(bin: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function serveOnUdp(def: typeof Thermo | typeof Thermo2): Promise<string> {
  const link = await openUdp({ listen: "127.0.0.1:0" });
  links.push(link);
  serve(def as typeof Thermo, { read: (unit) => ({ unit, value: 21.5 }), setThreshold: (x) => x }, link);
  return `127.0.0.1:${link.local.port}`;
}

beforeAll(async () => {
  original = await serveOnUdp(Thermo);
  speciated = await serveOnUdp(Thermo2);
});
afterAll(() => {
  for (const l of links) l.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("cell pull", () => {
  const dir = join(tmp, "project");
  let generated: string;

  it("writes cells/thermo.ts and locks its schema hash, address and date in Cell.lock", async () => {
    mkdirSync(dir);
    const r = await cellIn(dir, "pull", "thermo", "--from", `udp://${original}`);
    expect(r.err).toBe("");
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.out).toBe(`pulled thermo from udp://${original} into cells/thermo.ts; locked at schema ${hex32(Thermo.hash)} in Cell.lock`);
    generated = join(dir, "cells/thermo.ts");
    const lock = JSON.parse(readFileSync(join(dir, "Cell.lock"), "utf8"));
    expect(lock).toEqual({
      version: 1,
      keys: [],
      cells: {
        thermo: { schemaHash: hex32(Thermo.hash), address: `udp://${original}`, pulledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }
      }
    });
    const mod = await import(generated);
    expect(mod.Thermo.schema).toBe(Thermo.schema);
    expect(mod.lockedHash).toBe(hex32(Thermo.hash));
  });

  it("gives a client whose calls are typed from the pulled schema", async () => {
    writeFileSync(
      join(dir, "use.ts"),
      [
        `import { connect } from "./cells/thermo";`,
        `import type { Transport } from ${JSON.stringify(join(ROOT, "core/transport"))};`,
        `export async function use(link: Transport): Promise<number> {`,
        `  const thermo = connect(link);`,
        `  const r = await thermo.read("C");`,
        `  const unit: "C" | "F" = r.unit;`,
        `  // @ts-expect-error: "K" is not a unit of the pulled schema`,
        `  await thermo.read("K");`,
        `  // @ts-expect-error: thermo has no method write`,
        `  await thermo.write(1);`,
        `  return r.value + (unit === "C" ? 0 : 1);`,
        `}`
      ].join("\n")
    );
    const tsc = await run(
      process.execPath,
      [
        join(ROOT, "node_modules/typescript/bin/tsc"),
        "--noEmit",
        "--strict",
        "--target",
        "es2022",
        "--moduleResolution",
        "bundler",
        "--module",
        "esnext",
        "--types",
        "node",
        "--typeRoots",
        join(ROOT, "node_modules/@types"),
        join(dir, "use.ts")
      ],
      dir
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    const { connect } = await import(generated);
    const link = await openUdp(original);
    try {
      expect(await connect(link, { timeoutMs: 3000 }).read("C")).toEqual({ unit: "C", value: 21.5 });
    } finally {
      link.close();
    }
  }, 240000);

  it("a client made from the pulled schema fails at its first call when the cell speciated", async () => {
    const { connect } = await import(generated);
    const link = await openUdp(speciated);
    try {
      const thermo = connect(link, { timeoutMs: 3000 });
      const want = `thermo: this cell has speciated: locked ${hex32(Thermo.hash)}, found ${hex32(Thermo2.hash)}`;
      await expect(thermo.read("C")).rejects.toThrow(want);
      await expect(thermo.setThreshold(30)).rejects.toMatchObject({
        name: "SpeciatedError",
        locked: hex32(Thermo.hash),
        found: hex32(Thermo2.hash)
      });
      await expect(thermo.on("alarm", () => {})).rejects.toThrow(want);
    } finally {
      link.close();
    }
  });

  it("refuses to pull a speciated cell (exit 1, lock untouched), and --update moves the lock", async () => {
    const before = readFileSync(join(dir, "Cell.lock"), "utf8");
    const r = await cellIn(dir, "pull", "thermo", "--udp", speciated);
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.err).toMatch(
      new RegExp(
        `^cell pull: thermo has speciated: locked ${hex32(Thermo.hash)}, found ${hex32(Thermo2.hash)} at udp://${speciated}; nothing was changed`
      )
    );
    expect(readFileSync(join(dir, "Cell.lock"), "utf8")).toBe(before);
    const again = await cellIn(dir, "pull", "thermo", "--udp", original);
    expect(again.out).toMatch(/already locked at schema/);
    expect(readFileSync(join(dir, "Cell.lock"), "utf8")).toBe(before);
    const moved = await cellIn(dir, "pull", "thermo", "--udp", speciated, "--update");
    expect(moved.code).toBe(ExitCode.Ok);
    expect(moved.out).toMatch(`moved the lock in Cell.lock from ${hex32(Thermo.hash)} to ${hex32(Thermo2.hash)}`);
    expect(JSON.parse(readFileSync(join(dir, "Cell.lock"), "utf8")).cells.thermo).toMatchObject({
      schemaHash: hex32(Thermo2.hash),
      address: `udp://${speciated}`
    });
    expect(readFileSync(generated, "utf8")).toContain(`export const lockedHash = "${hex32(Thermo2.hash)}";`);
    expect(readFileSync(generated, "utf8")).toContain(
      'read: method(t.enum(["C", "F"]), t.struct({ unit: t.enum(["C", "F"]), value: t.f64 }))'
    );
  });

  it("says when nothing answers, and refuses a damaged Cell.lock before it asks", async () => {
    const empty = mkdtempSync(join(tmp, "none-"));
    const none = await cellIn(empty, "pull", "thermo", "--udp", original.replace(/:\d+$/, ":1"), "--timeout", "500");
    expect([ExitCode.Unavailable, ExitCode.TimedOut]).toContain(none.code);
    expect(existsSync(join(empty, "Cell.lock"))).toBe(false);
    writeFileSync(join(empty, "Cell.lock"), "{");
    const damaged = await cellIn(empty, "pull", "thermo", "--udp", original);
    expect(damaged.code).toBe(ExitCode.BadInput);
    expect(damaged.err).toMatch(/Cell.lock: is not JSON/);
    const both = await cellIn(empty, "pull", "thermo", "--udp", original, "--from", original);
    expect(both.code).toBe(ExitCode.Usage);
  });
});
