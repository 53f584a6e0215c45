// A small cell written into a fresh folder under .cell/ (git-ignored, inside the project so its imports of
// core and firmware resolve), for the --watch tests: they edit its device code and see the new answer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cell, method, t } from "../../core/schema";

export const Greeter = cell("greeter", { greet: method(t.string, t.string) });

export interface WatchedCell {
  /** The cell's folder (the entry of cell build / cell sim). */
  dir: string;
  /** Rewrites the device code so greet answers `${word} <name>`. */
  setGreeting(word: string): void;
  /** Rewrites the device code so greet returns `expression` (of `name`). */
  setAnswer(expression: string): void;
  remove(): void;
}

export function watchedCell(root: string, word: string): WatchedCell {
  mkdirSync(join(root, ".cell"), { recursive: true });
  const base = mkdtempSync(join(root, ".cell", "watch-"));
  const dir = join(base, "greeter");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "schema.ts"),
    `import { cell, method, t } from "../../../core/schema";\nexport var Greeter = cell("greeter", { greet: method(t.string, t.string) });\n`
  );
  const setAnswer = (expression: string) =>
    writeFileSync(
      join(dir, "index.ts"),
      `import type { DeviceCell } from "../../../firmware/runtime";\nimport { Greeter } from "./schema";\nvar greeter: DeviceCell<typeof Greeter.members> = { def: Greeter, handlers: { greet: function (name) { return ${expression}; } } };\nexport default [greeter];\n`
    );
  const setGreeting = (w: string) => setAnswer(`${JSON.stringify(w + " ")} + name`);
  setGreeting(word);
  return { dir, setGreeting, setAnswer, remove: () => rmSync(base, { recursive: true, force: true }) };
}
