// Issue 14 as a user runs it, every step a real `cell` process against a QEMU board: keygen, trust,
// build --sign, sim --trust (the board's key provisioned), flash (a tampered copy refused by the host, and
// by the board itself with --allow-unsigned; the signed bundle flashed), bridge, pull, a typed call through
// the pulled file, then the board reflashed with a speciated thermo (read answers f64 now): the pulled
// client's first call and `cell pull` both say so with the locked and found hashes. Last, the board
// refuses the older release unless --allow-rollback.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openUdp } from "../../transports/udp";
import { buildFirmware } from "../../sim/firmware-build";
import { fnv1a32String } from "../../core/fnv";
import { hex32 } from "../../core/hex";
import { Thermo } from "../../examples/thermo/schema";
import { freePort } from "../bridge-net-fixtures";
import { ROOT, BOARD, waitFor } from "./harness";

const CELL = join(ROOT, "cli/bin/cell.mjs");
const project = mkdtempSync(join(tmpdir(), "cell-trust-hw-"));
const children: ChildProcess[] = [];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `cell ...` in the project folder, as a process; the test waits without blocking its own event loop. */
function cell(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CELL, ...args], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A long-running `cell` (sim, bridge) whose output is collected; stopped by its PID in afterAll. */
function start(...args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [CELL, ...args], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  return { child, out: () => out };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** A thermo whose read answers f64 where the original answers f32: same name, another species. */
function writeSpeciatedThermo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const schema = readFileSync(join(ROOT, "examples/thermo/schema.ts"), "utf8")
    .replace('"../../core/schema"', JSON.stringify(join(ROOT, "core/schema")))
    .replace("t.struct({ unit: Unit, value: t.f32 })", "t.struct({ unit: Unit, value: t.f64 })");
  expect(schema).toContain("value: t.f64");
  writeFileSync(join(dir, "schema.ts"), schema);
  writeFileSync(
    join(dir, "thermo.ts"),
    readFileSync(join(ROOT, "examples/thermo/thermo.ts"), "utf8").replace(
      '"../../firmware/runtime"',
      JSON.stringify(join(ROOT, "firmware/runtime"))
    )
  );
}

/** The bridge found the board's thermo and listens on UDP (in that order or the other). */
const bridgeReady = (bridge: ReturnType<typeof start>, udp: string) =>
  waitFor(
    "the bridge to find thermo and open UDP",
    () => (bridge.out().includes("+ thermo") && bridge.out().includes(`network link udp:${udp} open`)) || bridge.child.exitCode !== null,
    60000
  );

let uart = "";
let keyId = "";
const signed = join(project, "build", BOARD, "thermo.js");
const speciated = join(project, "build2", BOARD, "thermo.js");

beforeAll(async () => {
  await buildFirmware(BOARD, { log: () => {} });
}, 300000);

afterAll(async () => {
  for (const c of children) await stop(c);
  rmSync(project, { recursive: true, force: true });
});

describe(`signed releases and pulled cells on ${BOARD}`, () => {
  it("keygen, trust, build --sign: a signed release of thermo", async () => {
    const keygen = await cell("keygen");
    expect(keygen.status).toBe(0);
    keyId = /key id ([0-9a-f]{16})/.exec(keygen.stdout)![1];
    expect((await cell("trust", "cell-signing.pub")).stdout).toContain(`Cell.lock now trusts key ${keyId}`);
    const build = await cell("build", "--board", BOARD, "--out", "build", "--sign", "cell-signing.key", join(ROOT, "examples/thermo"));
    expect(build.stderr).toBe("");
    expect(build.status).toBe(0);
    expect(build.stdout).toContain(`${BOARD}: signed with key ${keyId}: build/${BOARD}/thermo.js.cellsig`);
    writeSpeciatedThermo(join(project, "speciated/thermo"));
    const build2 = await cell(
      "build",
      "--board",
      BOARD,
      "--out",
      "build2",
      "--sign",
      "cell-signing.key",
      "--release-version",
      "0.2.0",
      "speciated/thermo"
    );
    expect(build2.status).toBe(0);
  }, 300000);

  it("sim --trust provisions the key; flash refuses a tampered copy (exit 3, naming the key), so does the board with --allow-unsigned; the signed bundle runs", async () => {
    const sim = start("sim", "--board", BOARD, "--trust", "cell-signing.pub", signed);
    await waitFor("the board running", () => /1 board\(s\) running/.test(sim.out()) || sim.child.exitCode !== null, 90000);
    expect(sim.out()).toContain(
      `trust: key ${keyId} (cell-signing.pub) provisioned before boot: the loader runs only releases it signed\n`
    );
    uart = /uart\s+(tcp:\/\/127\.0\.0\.1:\d+)/.exec(sim.out())![1];
    const tampered = join(project, "tampered", "thermo.js");
    mkdirSync(join(project, "tampered"));
    const bytes = readFileSync(signed);
    bytes[bytes.length >> 1] ^= 0x20;
    writeFileSync(tampered, bytes);
    copyFileSync(signed + ".cellsig", tampered + ".cellsig");
    const refused = await cell("flash", "--board", BOARD, "--port", uart, tampered);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(
      new RegExp(`cell flash: refused, nothing was written: BundleTampered: the bundle's bytes are not the ones key ${keyId} signed`)
    );
    // Past the host's check, the board's own loader checks the same file (spec/signing.md §4) and keeps what ran.
    const forced = await cell("flash", "--board", BOARD, "--port", uart, "--allow-unsigned", tampered);
    expect(forced.stderr).toContain("cell flash: WARNING --allow-unsigned: BundleTampered:");
    expect(forced.stderr).toMatch(/cell flash: the board refused the bundle: BundleTampered: /);
    expect(forced.status).toBe(3);
    const flashed = await cell("flash", "--board", BOARD, "--port", uart, signed);
    expect(flashed.stderr).toContain(`signed by key ${keyId} (cell-signing): release 0.1.0 for ${BOARD}`);
    expect(flashed.status).toBe(0);
    expect(flashed.stdout).toContain("cell    thermo: " + Thermo.schema);
  }, 180000);

  it("pull writes cells/thermo.ts from the live board; its connect() calls it with types", async () => {
    const udp = `127.0.0.1:${await freePort()}`;
    const bridge = start("bridge", "--serial", uart, "--udp", udp);
    await bridgeReady(bridge, udp);
    const pull = await cell("pull", "thermo", "--from", `udp://${udp}`, "--timeout", "10000");
    expect(pull.stderr).toBe("");
    expect(pull.stdout).toBe(`pulled thermo from udp://${udp} into cells/thermo.ts; locked at schema ${hex32(Thermo.hash)} in Cell.lock\n`);
    const lock = JSON.parse(readFileSync(join(project, "Cell.lock"), "utf8"));
    expect(lock.keys.map((k: { id: string }) => k.id)).toEqual([keyId]);
    expect(lock.cells.thermo).toMatchObject({ schemaHash: hex32(Thermo.hash), address: `udp://${udp}` });
    const pulled = await import(join(project, "cells/thermo.ts"));
    const link = await openUdp(udp);
    try {
      const answer = await pulled.connect(link, { timeoutMs: 10000 }).read("F");
      expect(answer.unit).toBe("F");
      expect(typeof answer.value).toBe("number");
    } finally {
      link.close();
    }
    await stop(bridge.child); // the UART is free for cell flash again
  }, 120000);

  it("after the board is flashed with a speciated thermo, the pulled client and cell pull both refuse it", async () => {
    const flashed = await cell("flash", "--board", BOARD, "--port", uart, speciated);
    expect(flashed.status).toBe(0);
    const udp = `127.0.0.1:${await freePort()}`;
    const bridge = start("bridge", "--serial", uart, "--udp", udp);
    await bridgeReady(bridge, udp);
    const found = hex32(
      fnv1a32String(Thermo.schema.replace("read(enum<C|F>)->{unit:enum<C|F>,value:f32}", "read(enum<C|F>)->{unit:enum<C|F>,value:f64}"))
    );
    expect(found).not.toBe(hex32(Thermo.hash));
    const pulled = await import(join(project, "cells/thermo.ts"));
    const link = await openUdp(udp);
    try {
      await expect(pulled.connect(link, { timeoutMs: 10000 }).read("C")).rejects.toThrow(
        `thermo: this cell has speciated: locked ${hex32(Thermo.hash)}, found ${found}`
      );
    } finally {
      link.close();
    }
    const pull = await cell("pull", "thermo", "--udp", udp, "--timeout", "10000");
    expect(pull.status).toBe(1);
    expect(pull.stderr).toContain(`thermo has speciated: locked ${hex32(Thermo.hash)}, found ${found}`);
    await stop(bridge.child);
  }, 180000);

  it("the board refuses the older release 0.1.0 after 0.2.0 unless --allow-rollback", async () => {
    const refused = await cell("flash", "--board", BOARD, "--port", uart, signed);
    expect(refused.stderr).toMatch(
      /cell flash: the board refused the bundle: Rollback: version 1000 is lower than the running release's 2000 .*; cell flash --allow-rollback takes it anyway/
    );
    expect(refused.status).toBe(3);
    const rolled = await cell("flash", "--board", BOARD, "--port", uart, "--allow-rollback", signed);
    expect(rolled.status).toBe(0);
    expect(rolled.stdout).toContain("cell    thermo: " + Thermo.schema);
  }, 120000);
});
