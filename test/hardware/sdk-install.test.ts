// The SDK as people install it: `npm pack`, installed into an empty folder offline (the packed tarball
// and the npm cache, no registry), then the everyday commands from there: cell --help, cell new, and in
// the new project cell build, cell sim (the firmware built from the installed package, a board booted
// and flashed) and npm test (its host test calls the cell on the simulated board with full types).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { offlineLock } from "../sdk/offline-lock";

const ROOT = join(__dirname, "../..");
// npm and npx offline (only-if-cached: a request the cache cannot answer fails): nothing below uses the network.
const OFFLINE_ENV = {
  ...process.env,
  npm_config_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false"
};

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Each command in a process group of its own, as a terminal runs it, so Ctrl-C (ctrlC) reaches npx and the cell process alike. */
function start(cmd: string, args: string[], cwd: string): { child: ChildProcess; done: Promise<Run>; out: () => string } {
  const child = spawn(cmd, args, { cwd, env: OFFLINE_ENV, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const done = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code, out, err })));
  return { child, done, out: () => out };
}

const ctrlC = (child: ChildProcess) => process.kill(-child.pid!, "SIGINT");

const run = (cmd: string, args: string[], cwd: string) => start(cmd, args, cwd).done;

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the SDK installed from its tarball into an empty folder", () => {
  let dir: string;
  let tarball: string;
  let project: string;
  const times: Record<string, number> = {};
  let newStarted = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cell-sdk-"));
    const packed = await run("npm", ["pack", "--silent", "--pack-destination", dir], ROOT);
    expect(packed.code, packed.err).toBe(0);
    tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    // The cache holds tarballs, not the registry's documents: the lock pins what the SDK's own lock does.
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "sdk-user", private: true, dependencies: { cell: `file:${tarball}` } }, null, 2)
    );
    writeFileSync(
      join(dir, "package-lock.json"),
      JSON.stringify(offlineLock(join(ROOT, "package-lock.json"), "sdk-user", `file:${tarball}`, {}), null, 2)
    );
    const started = Date.now();
    const installed = await run("npm", ["ci", "--offline", "--prefer-offline"], dir);
    times.install = Date.now() - started;
    expect(installed.code, installed.err).toBe(0);
    project = join(dir, "myproj");
  }, 300000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`sdk install figures (ms): ${JSON.stringify(times)}`);
  });

  it("npx cell --help lists the commands", async () => {
    const r = await run("npx", ["cell", "--help"], dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^ {2}new +start a project/m);
  }, 60000);

  it("npx cell new writes a project for esp32", async () => {
    newStarted = Date.now();
    const r = await run("npx", ["cell", "new", "myproj", "--board", "esp32", "--sdk", `file:../${tarball}`], dir);
    expect(r.code, r.err).toBe(0);
    for (const f of ["package.json", "README.md", "src/schema.ts", "src/hello.ts", "src/index.ts", "test/hello.test.ts"])
      expect(existsSync(join(project, f)), f).toBe(true);
    const again = await run("npx", ["cell", "new", "myproj", "--board", "esp32"], dir);
    expect(again.code).toBe(3);
    expect(again.err).toMatch(/^cell new: myproj exists and is not empty/);
  }, 60000);

  it("npx cell build builds it for esp32 (board and folder from package.json)", async () => {
    const started = Date.now();
    const r = await run("npx", ["cell", "build"], project);
    times.build = Date.now() - started;
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^esp32: build\/esp32\/src\.js \d+ bytes .*cells hello#[0-9a-f]{8}/m);
    expect(existsSync(join(project, "build/esp32/src.js"))).toBe(true);
  }, 180000);

  it("cell sim builds the firmware from the installed SDK, runs the cell, and stops on Ctrl-C with 0", async () => {
    const started = Date.now();
    // The installed bin itself (what npx runs), so the exit code seen is the cell command's, not npm's.
    const sim = start(join(dir, "node_modules/.bin/cell"), ["sim"], project);
    try {
      // Ends early when cell sim exits (a failed firmware build): its stderr says why.
      await waitFor("running board", () => /board\(s\) running/.test(sim.out()) || sim.child.exitCode !== null, 600000);
      if (sim.child.exitCode !== null) throw new Error(`cell sim exited with ${sim.child.exitCode}`);
    } catch (e) {
      if (sim.child.exitCode === null) ctrlC(sim.child);
      throw new Error(`${(e as Error).message}: ${sim.out()} ${(await sim.done).err}`);
    }
    times.sim = Date.now() - started;
    expect(sim.out()).toMatch(/^ {2}uart {4}tcp:\/\/127\.0\.0\.1:\d+$/m);
    expect(sim.out()).toMatch(
      /^ {2}cell {4}hello: cell hello\{event greeted\(u32\);greet\(\{name:string\}\)->\{text:string,count:u32\}\}$/m
    );
    ctrlC(sim.child);
    const r = await sim.done;
    expect(r.code, r.err).toBe(0);
  }, 700000);

  it("npm test calls the cell on the simulated board with full types", async () => {
    const started = Date.now();
    const r = await run("npm", ["test"], project);
    times.test = Date.now() - started;
    times.newToFirstAnswer = Date.now() - newStarted;
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('hello.greet -> {"text":"Hello, Ada!","count":1}');
    expect(r.out).toMatch(/^# pass 1$/m);
  }, 300000);
});
