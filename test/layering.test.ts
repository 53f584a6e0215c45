// Dependencies point one way (docs: the developers' guide): core <- firmware; core <- transports <-
// host-bridge <- cli; core <- trust <- cli; sim uses firmware and transports, never cli. This test reads the imports of every
// .ts/.mts/.mjs file (static, dynamic and `export ... from`, type-only ones too) with the TypeScript
// scanner and fails on an arrow that points the wrong way. Tests (*.test.ts) may import anything.
// The C firmware (sim/firmware) has no #include cycle.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Rule {
  /** The files the rule is about: a folder (with its subfolders) of the project. */
  layer: string;
  /** Project folders it may import from (its own always); undefined: any but `never`. */
  may?: string[];
  never?: string[];
  /** node: modules allowed. */
  node: boolean;
  /** npm packages (and engine modules) allowed: true for any. */
  packages: boolean | string[];
}

// The most specific layer (longest folder) decides.
const RULES: Rule[] = [
  { layer: "core", may: [], node: false, packages: false },
  // The device runtime: core and its own files only; engine modules by the names the engines give them.
  { layer: "firmware", may: ["core"], node: false, packages: ["Storage", "uart", "cell:hal", "cell:board"] },
  // The build runs on Node: rollup, TypeScript, the file system.
  { layer: "firmware/build", may: ["core", "firmware"], node: true, packages: true },
  { layer: "transports", may: ["core"], node: true, packages: true },
  // Signed releases and pinned schemas: node:crypto and core, no packages, so it can be audited alone.
  { layer: "trust", may: ["core"], node: true, packages: false },
  { layer: "host-bridge", may: ["core", "transports"], node: true, packages: true },
  { layer: "sim", never: ["cli", "test", "bench", "host-bridge"], node: true, packages: true },
  { layer: "engines", never: ["cli", "test", "bench", "host-bridge"], node: true, packages: true },
  { layer: "bench", never: ["test"], node: true, packages: true }
];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, ".git"))) sourceFiles(path, out);
    } else if (/\.(ts|mts|mjs)$/.test(name) && !/\.test(-d)?\.ts$/.test(name)) out.push(path);
  }
  return out;
}

const ruleOf = (file: string): Rule | undefined =>
  RULES.filter((r) => file === r.layer || file.startsWith(r.layer + "/")).sort((a, b) => b.layer.length - a.layer.length)[0];

/** What is wrong with `file` (project-relative) importing `spec`, or null. */
function wrongArrow(file: string, spec: string): string | null {
  const rule = ruleOf(file);
  if (!rule) return null;
  if (spec.startsWith("node:")) return rule.node ? null : `${file} imports ${spec}: ${rule.layer}/ runs without Node`;
  if (!spec.startsWith(".") && !spec.startsWith("/")) {
    if (rule.packages === true || (Array.isArray(rule.packages) && rule.packages.includes(spec))) return null;
    return `${file} imports the package ${spec}: ${rule.layer}/ takes no packages`;
  }
  const target = normalize(relative(ROOT, resolve(ROOT, dirname(file), spec)));
  if (target === rule.layer || target.startsWith(rule.layer + "/")) return null;
  const targetLayer =
    RULES.map((r) => r.layer)
      .filter((l) => target === l || target.startsWith(l + "/"))
      .sort((a, b) => b.length - a.length)[0] || target.split("/")[0];
  const top = target.split("/")[0];
  if (rule.may && !rule.may.includes(targetLayer) && !rule.may.includes(top))
    return `${file} imports ${target}: ${rule.layer}/ may import only ${rule.may.concat(rule.layer).join(", ")}`;
  if (rule.never && (rule.never.includes(top) || rule.never.includes(targetLayer)))
    return `${file} imports ${target}: ${rule.layer}/ never imports ${top}/`;
  return null;
}

function importsOf(path: string): string[] {
  return ts.preProcessFile(readFileSync(path, "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

describe("import layering", () => {
  const files = sourceFiles(ROOT).map((f) => relative(ROOT, f));

  it("finds the files of every layer", () => {
    for (const r of RULES) expect(files.filter((f) => f.startsWith(r.layer + "/")).length, r.layer).toBeGreaterThan(0);
  });

  it("has no arrow pointing the wrong way", () => {
    const wrong: string[] = [];
    for (const f of files)
      for (const spec of importsOf(join(ROOT, f))) {
        const w = wrongArrow(f, spec);
        if (w) wrong.push(w);
      }
    expect(wrong).toEqual([]);
  });

  it("names the wrong arrows it is meant to catch", () => {
    expect(wrongArrow("core/rpc/client.ts", "../../transports/udp")).toMatch(/core\/rpc\/client.ts imports transports\/udp/);
    expect(wrongArrow("core/header.ts", "node:buffer")).toMatch(/runs without Node/);
    expect(wrongArrow("core/lite/compact.ts", "@msgpack/msgpack")).toMatch(/takes no packages/);
    expect(wrongArrow("firmware/runtime.ts", "../transports/serial")).toMatch(/may import only core, firmware/);
    expect(wrongArrow("firmware/hal.ts", "node:fs")).not.toBeNull();
    expect(wrongArrow("transports/udp.ts", "../host-bridge/bridge")).not.toBeNull();
    expect(wrongArrow("host-bridge/bridge.ts", "../cli/main")).not.toBeNull();
    expect(wrongArrow("sim/session.ts", "../cli/sim-support")).toMatch(/never imports cli/);
    expect(wrongArrow("bench/run.ts", "../test/wait-for")).toMatch(/never imports test/);
    expect(wrongArrow("engines/boards.ts", "../cli/exit-codes")).not.toBeNull();
    expect(wrongArrow("trust/release.ts", "../transports/udp")).toMatch(/may import only core, trust/);
    expect(wrongArrow("trust/keys.ts", "tweetnacl")).toMatch(/takes no packages/);
    // And the right ones pass.
    expect(wrongArrow("firmware/build/bundle.ts", "node:fs")).toBeNull();
    expect(wrongArrow("firmware/runtime.ts", "../core/lite/serve")).toBeNull();
    expect(wrongArrow("host-bridge/bridge.ts", "../transports/udp")).toBeNull();
    expect(wrongArrow("sim/bundle.ts", "../firmware/build")).toBeNull();
    expect(wrongArrow("cli/main.ts", "../sim/qemu")).toBeNull();
    expect(wrongArrow("trust/keys.ts", "node:crypto")).toBeNull();
    expect(wrongArrow("cli/commands/keygen.ts", "../../trust/keys")).toBeNull();
  });
});

/** Every cycle of `#include "..."` among the C sources under `dir`, as lists of files. */
function includeCycles(dir: string): string[][] {
  const files = (function walk(d: string): string[] {
    return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : /\.[ch]$/.test(n) ? [join(d, n)] : []));
  })(dir);
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    const found = [...text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)].map((m) => resolve(dirname(f), m[1])).filter((p) => existsSync(p));
    edges.set(f, found);
  }
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (f: string, stack: string[]) => {
    state.set(f, "open");
    stack.push(f);
    for (const g of edges.get(f) || []) {
      if (state.get(g) === "open")
        cycles.push(
          stack
            .slice(stack.indexOf(g))
            .concat(g)
            .map((p) => relative(ROOT, p))
        );
      else if (!state.has(g)) visit(g, stack);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f, []);
  return cycles;
}

describe("C includes", () => {
  it("sim/firmware has no #include cycle", () => {
    expect(includeCycles(join(ROOT, "sim/firmware"))).toEqual([]);
  });

  it("finds a cycle when there is one", () => {
    const dir = mkdtempSync(join(tmpdir(), "cell-includes-"));
    try {
      writeFileSync(join(dir, "a.h"), '#include "b.h"\n');
      writeFileSync(join(dir, "b.h"), '#include <stdint.h>\n#include "a.h"\n');
      writeFileSync(join(dir, "main.c"), '#include "a.h"\n#include "missing.h"\n');
      expect(includeCycles(dir).map((c) => c.map((f) => f.split("/").pop()))).toEqual([["a.h", "b.h", "a.h"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Source lines (project-relative file:line) that read boards/ themselves instead of through loadBoard. */
function boardFileReaders(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const rel = relative(ROOT, file);
    if (rel === "firmware/build/board.ts") continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/(readFileSync|readdirSync)\s*\(.*\bboards\b|["'][^"']*\bboards\/[^"']*\.json["']/.test(line)) found.push(`${rel}:${i + 1}`);
      });
  }
  return found;
}

describe("board files", () => {
  it("are read only by firmware/build/board.ts (one typed loadBoard)", () => {
    expect(boardFileReaders(sourceFiles(ROOT))).toEqual([]);
  });

  it("finds a file that reads one itself", () => {
    const dir = mkdtempSync(join(tmpdir(), "cell-board-readers-"));
    try {
      const file = join(dir, "x.ts");
      writeFileSync(file, 'const b = JSON.parse(readFileSync(`${root}boards/${id}.json`, "utf8"));\n');
      expect(boardFileReaders([file])).toEqual([`${relative(ROOT, file)}:1`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
