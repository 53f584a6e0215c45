// Every command of the real `cell` binary, given what people get wrong: no arguments, an unknown flag,
// a bad value for each option (found from the command's own declaration), a file that is not there, a
// port nothing listens on. Each must end in under 2 s with exactly one line on stderr, a named exit
// code and no stack trace (CELL_DEBUG=1 shows one). The cases per option run through main() in this
// process (the same parser and error path, without a Node + tsx start each); the rest spawn the binary.
import { describe, it, expect, beforeAll } from "vitest";
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { fileURLToPath } from "node:url";
import { cpus, loadavg } from "node:os";
import { freePort } from "../test/bridge-net-fixtures";
import { commands } from "./main";
import type { Command } from "./args";
import { ExitCode } from "./exit-codes";
import { runCell } from "./testing/run-main";

const BIN = fileURLToPath(new URL("./bin/cell.mjs", import.meta.url));
const MISSING = "/nonexistent/cell-cli-test/missing.ts";
const FINGERPRINT = "ab".repeat(32);
/**
 * 2 s per case on a machine that is not overloaded. On a shared machine whose run queue is longer than
 * its cores (load average per core above 1), the budget grows by that factor: starting Node and tsx alone
 * then takes seconds, and a hang is still caught (a run is killed at twice the budget).
 */
const budgetMs = () => Math.round(2000 * Math.max(1, Math.max(loadavg()[0], loadavg()[1]) / cpus().length));
const BUDGET_MS = budgetMs();

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
  /** The time allowed, as the machine's load was when the run ended. */
  budget: number;
}

function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...argv], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CELL_DEBUG: "", ...env }
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (err += b));
    // A hang is a failure too: killed (reported by the time and exit checks, with what it printed).
    const timer = setTimeout(() => child.kill("SIGKILL"), 2 * budgetMs());
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Math.round(performance.now() - started), budget: budgetMs() });
    });
  });
}

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    })
  );
  return out;
}

/**
 * A UDP port nothing listens on, below the OS's ephemeral range (32768-60999 on Linux): tests running
 * alongside bind port 0, so they never take it between this check and its use (an ephemeral one was).
 */
async function closedUdpPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const s = createSocket("udp4");
    const free = await new Promise<boolean>((resolve) => {
      s.once("error", () => resolve(false));
      s.bind(port, "127.0.0.1", () => resolve(true));
    });
    await new Promise<void>((resolve) => s.close(() => resolve()));
    if (free) return port;
  }
}

interface Case {
  argv: string[];
  /** Run through main() in this process: the same parser and error path without a process per case. */
  inProcess?: boolean;
  code: number;
  /** What the one line says after "cell <command>: ". */
  says: RegExp;
}

/** The commands as typed: a group's subcommands each count as one (`wire decode`). */
async function leafCommands(): Promise<{ words: string[]; command: Command }[]> {
  const out: { words: string[]; command: Command }[] = [];
  for (const [name, load] of Object.entries(commands)) {
    const { command } = await load();
    if (command.subcommands) for (const sub of command.subcommands) out.push({ words: sub.name.split(" "), command: sub });
    else out.push({ words: [name], command });
  }
  return out;
}

/** A value the option's own validator refuses, or null when it takes any text (a path, a name). */
function badValue(parse: (text: string) => unknown): string | null {
  for (const candidate of ["nonsense", "", "0", "-1", "99999999999", "1.5"]) {
    try {
      parse(candidate);
    } catch {
      return candidate;
    }
  }
  return null;
}

/** What each command says without arguments (null: it needs none, and succeeds: nothing bad to try). */
const NO_ARGS: Record<string, { code: number; says: RegExp } | null> = {
  boards: null,
  ports: null,
  new: { code: ExitCode.Usage, says: /^missing --board/ },
  build: { code: ExitCode.Usage, says: /^missing --board/ },
  sim: { code: ExitCode.Usage, says: /^missing --board/ },
  flash: { code: ExitCode.Usage, says: /^missing --board/ },
  bridge: { code: ExitCode.Usage, says: /^give at least one network side/ },
  // Nothing to list without a bridge: the default address 127.0.0.1:7420 does not answer.
  ls: { code: ExitCode.Unavailable, says: /^no bridge answers at 127\.0\.0\.1:7420/ },
  call: { code: ExitCode.Usage, says: /^missing <cell\.method>/ },
  monitor: { code: ExitCode.Usage, says: /^missing --port/ },
  watch: { code: ExitCode.Usage, says: /^missing <cell\.event>/ },
  "wire decode": { code: ExitCode.Usage, says: /^missing <hex>/ },
  "wire encode": { code: ExitCode.Usage, says: /^missing --cell/ },
  keygen: null, // it needs nothing, and writes a key pair in the current folder: not run here
  trust: { code: ExitCode.Usage, says: /^missing <file\.pub>/ },
  pull: { code: ExitCode.Usage, says: /^missing <cell>/ }
};

const cases: Case[] = [];
const skipped: string[] = [];

beforeAll(async () => {
  const udp = await closedUdpPort();
  const tcp = await freePort();
  const nats = await freePort();
  const leaves = await leafCommands();
  for (const { words, command } of leaves) {
    const name = words.join(" ");
    expect(NO_ARGS[name], `the table knows what ${name} says without arguments`).not.toBe(undefined);
    const bare = NO_ARGS[name];
    if (bare) cases.push({ argv: words, ...bare });
    cases.push({ argv: [...words, "--bogus"], code: ExitCode.Usage, says: /^unknown option --bogus \(usage: cell / });
    let askedForValue = false;
    for (const [option, o] of Object.entries(command.options)) {
      if (o.type === "boolean") {
        cases.push({
          argv: [...words, `--${option}=yes`],
          code: ExitCode.Usage,
          says: new RegExp(`^--${option} takes no value`),
          inProcess: true
        });
        continue;
      }
      if (!askedForValue && !o.optionalValue) {
        askedForValue = true;
        cases.push({
          argv: [...words, `--${option}`],
          code: ExitCode.Usage,
          says: new RegExp(`^--${option} needs a value`),
          inProcess: true
        });
      }
      const bad = badValue(o.parse);
      if (bad === null) skipped.push(`${name} --${option}`);
      else
        cases.push({
          argv: [...words, ...(o.optionalValue ? [`--${option}=${bad}`] : [`--${option}`, bad])],
          code: ExitCode.Usage,
          says: new RegExp(`^--${option} takes .*\\(usage: cell ${name}`),
          inProcess: true
        });
    }
  }
  // Files that are not there.
  cases.push(
    { argv: ["build", "--board", "esp32", MISSING], code: ExitCode.BadInput, says: /^entry \/nonexistent\/.*: no such file$/ },
    { argv: ["sim", "--board", "qemu-mps2-an385", MISSING], code: ExitCode.BadInput, says: /^bundle .*: no such file$/ },
    {
      argv: ["flash", "--board", "qemu-mps2-an385", "--port", `tcp://127.0.0.1:${tcp}`, MISSING],
      code: ExitCode.BadInput,
      says: /^bundle .*: no such file$/
    },
    { argv: ["wire", "decode", "--schema", MISSING, "ce"], code: ExitCode.BadInput, says: /^schema module .*: no such file$/ },
    { argv: ["trust", MISSING], code: ExitCode.BadInput, says: /^public key \/nonexistent\/.*: no such file$/ },
    {
      argv: ["build", "--board", "esp32", "--sign", MISSING, fileURLToPath(new URL("./wire/fixtures/thermo.ts", import.meta.url))],
      code: ExitCode.BadInput,
      says: /^signing key \/nonexistent\/.*: no such file$/
    },
    {
      argv: ["wire", "encode", "--schema", MISSING, "--cell", "thermo"],
      code: ExitCode.BadInput,
      says: /^schema module .*: no such file$/
    },
    {
      argv: ["wire", "encode", "--schema", "cli", "--cell", "thermo"],
      code: ExitCode.BadInput,
      says: /^schema module cli: is a folder, not a file$/
    }
  );
  // Ports nothing listens on.
  const bundle = fileURLToPath(new URL("./wire/fixtures/thermo.ts", import.meta.url));
  for (const target of [
    ["--udp", `127.0.0.1:${udp}`],
    ["--nats", `nats://127.0.0.1:${nats}`]
  ]) {
    const says =
      target[0] === "--udp" ? /^no bridge answers at 127\.0\.0\.1:\d+: .*ECONNREFUSED/ : /^cannot open nats .*CONNECTION_REFUSED/;
    cases.push(
      { argv: ["ls", ...target], code: ExitCode.Unavailable, says },
      { argv: ["call", "thermo.read", ...target], code: ExitCode.Unavailable, says },
      { argv: ["watch", "thermo.alarm", ...target], code: ExitCode.Unavailable, says }
    );
  }
  cases.push(
    {
      argv: ["ls", "--udp", "nosuch.invalid:7420"],
      code: ExitCode.Unavailable,
      says: /^cannot open udp nosuch\.invalid:7420: .*ENOTFOUND/
    },
    {
      argv: ["bridge", "--serial", `tcp://127.0.0.1:${tcp}`, "--udp", "127.0.0.1:0"],
      code: ExitCode.Unavailable,
      says: /^cannot open serial tcp:\/\/127\.0\.0\.1:\d+: nothing accepts connections/
    },
    {
      argv: ["bridge", "--serial", "/dev/cell-cli-test-missing", "--udp", "127.0.0.1:0"],
      code: ExitCode.Unavailable,
      says: /^cannot open serial \/dev\/cell-cli-test-missing: .*does not exist/
    },
    {
      argv: ["flash", "--board", "qemu-mps2-an385", "--port", `tcp://127.0.0.1:${tcp}`, bundle],
      code: ExitCode.Unavailable,
      says: /^no simulated board at tcp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/
    },
    { argv: ["ls", "--quic", `127.0.0.1:${udp}`], code: ExitCode.Usage, says: /^--quic needs --fingerprint/, inProcess: true },
    {
      argv: ["ls", "--udp", `127.0.0.1:${udp}`, "--nats", "nats://127.0.0.1:1"],
      code: ExitCode.Usage,
      says: /^give one of --udp, --quic or --nats/,
      inProcess: true
    },
    {
      argv: ["ls", "--fingerprint", FINGERPRINT, "--timeout", "5000", "--timeout", "6000"],
      code: ExitCode.Usage,
      says: /^--timeout given twice/,
      inProcess: true
    },
    { argv: ["call", "thermo.read", "{}", "extra"], code: ExitCode.Usage, says: /^unexpected argument "extra"/, inProcess: true },
    {
      argv: ["sim", "--board", "qemu-mps2-an385", "--icount", "11", "x.js"],
      code: ExitCode.Usage,
      says: /^--icount takes a whole number 0\.\.10/,
      inProcess: true
    },
    {
      argv: ["sim", "--board", "qemu-mps2-an385", "--port", "65535", "--count", "2", "x.js"],
      code: ExitCode.Usage,
      says: /^--port 65535 leaves no room for 2 boards/,
      inProcess: true
    },
    {
      argv: ["flash", "--board", "host", "--port", "tcp://127.0.0.1:1", "cli"],
      code: ExitCode.Unavailable,
      says: /^cell flash cannot write host \(its flash method is none\)/,
      inProcess: true
    },
    {
      argv: ["wire", "decode", "--stream", "--bare", "00"],
      code: ExitCode.Usage,
      says: /^give --stream or --bare, not both/,
      inProcess: true
    },
    { argv: ["wire"], code: ExitCode.Usage, says: /^expected decode or encode, got nothing/, inProcess: true },
    // A frame must hold a header and its CRC; it used to start and hang with --max-frame 5.
    {
      argv: ["bridge", "--udp", "127.0.0.1:0", "--max-frame", "5"],
      code: ExitCode.Usage,
      says: /^--max-frame takes a whole number 24\.\.65536 \(bytes: a header and CRC at least\), got "5"/,
      inProcess: true
    },
    {
      argv: ["bridge", "--udp", "127.0.0.1:0", "--max-frame", "1000000"],
      code: ExitCode.Usage,
      says: /^--max-frame takes a whole number 24\.\.65536/,
      inProcess: true
    },
    { argv: ["nosuch"], code: ExitCode.Usage, says: /^unknown command "nosuch"/ }
  );
}, 60000);

describe("the cell binary on bad input", () => {
  it(`answers every case with one line on stderr, a named exit code and no stack trace, each in under ${BUDGET_MS} ms`, async () => {
    expect(cases.length).toBeGreaterThan(60);
    const results: Run[] = [];
    for (const [i, c] of cases.entries()) {
      if (!c.inProcess) continue;
      const started = performance.now();
      const r = await runCell(...c.argv);
      results[i] = { ...r, ms: Math.round(performance.now() - started), budget: budgetMs() };
    }
    const spawned = cases.filter((c) => !c.inProcess);
    const runs = await pool(spawned, cpus().length, (c) => run(c.argv));
    spawned.forEach((c, i) => (results[cases.indexOf(c)] = runs[i]));
    const failures: string[] = [];
    results.forEach((r, i) => {
      const c = cases[i];
      const lines = r.err.trimEnd().split("\n");
      const where = c.argv[0] === "nosuch" ? "cell" : `cell ${c.argv[0] === "wire" ? c.argv.slice(0, 2).join(" ") : c.argv[0]}`;
      const problems = [
        r.code !== c.code && `exit ${r.code}, want ${c.code}`,
        lines.length !== 1 && `${lines.length} lines on stderr`,
        !lines[0].startsWith(where + ": ") && `does not start with "${where}: "`,
        !c.says.test(lines[0].slice(where.length + 2)) && `does not say ${c.says}`,
        /^\s+at /m.test(r.err) && "a stack trace",
        r.ms >= r.budget && `took ${r.ms} ms (budget ${r.budget} ms)`
      ].filter(Boolean);
      if (problems.length) failures.push(`cell ${c.argv.join(" ")}: ${problems.join(", ")}\n    stderr: ${r.err.trimEnd()}`);
    });
    const slowest = Math.max(...results.map((r) => r.ms));
    console.log(
      `${cases.length} cases (${spawned.length} of them as processes), slowest ${slowest} ms (budget at the start ${BUDGET_MS} ms); options that take any text (no bad value to try): ${skipped.join(", ")}`
    );
    expect(failures).toEqual([]);
  }, 600000);

  it("shows the stack with CELL_DEBUG=1", async () => {
    const r = await run(["build", "--board", "esp32", MISSING], { CELL_DEBUG: "1" });
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err.split("\n")[0]).toMatch(/^cell build: entry .*: no such file$/);
    expect(r.err).toMatch(/^\s+at /m);
  }, 20000);
});
