// console.log/info/warn/error/debug in device code, on every board: a cell module that names `console`
// gets a module-local `console` whose methods write one line to the HAL log (cell:hal), so it works on
// engines without one (the QEMU sim) and goes where the board's log goes on the others. Decided per
// file at build time: a cell that does not name `console` costs nothing.
import { join } from "node:path";
import type { Plugin } from "rollup";
import { ROOT } from "./root";

const CONSOLE_MODULE = "\0cell:console";

/** The `console` device code sees: values joined by spaces, objects as JSON, one HAL log line per call. */
const CONSOLE_SOURCE = `import { log } from "cell:hal";
function line() {
  for (var s = "", i = 0; i < arguments.length; i++) {
    var a = arguments[i];
    s += (i ? " " : "") + (typeof a === "object" && a !== null ? JSON.stringify(a) : String(a));
  }
  log(s);
}
export var console = { log: line, info: line, warn: line, error: line, debug: line };
`;

/** What the device build's TypeScript program declares for cell code (ES5's library has no console). */
export const CONSOLE_DECLARATION = `declare var console: { log(...values: unknown[]): void; info(...values: unknown[]): void; warn(...values: unknown[]): void; error(...values: unknown[]): void; debug(...values: unknown[]): void };\n`;

/** Cell code: a file the build reads that is not core's, the firmware's or a package's. */
export function isCellSource(id: string): boolean {
  if (id.startsWith("\0") || id.includes("/node_modules/")) return false;
  return ![join(ROOT, "core") + "/", join(ROOT, "firmware") + "/"].some((d) => id.startsWith(d));
}

/** Runs after the TypeScript plugin: the code it sees is JavaScript. */
export function consolePlugin(): Plugin {
  return {
    name: "cell-console",
    resolveId(id) {
      return id === CONSOLE_MODULE ? id : null;
    },
    load(id) {
      return id === CONSOLE_MODULE ? CONSOLE_SOURCE : null;
    },
    transform(code, id) {
      if (!isCellSource(id) || !/\bconsole\b/.test(code)) return null;
      return { code: `import { console } from ${JSON.stringify(CONSOLE_MODULE)};\n${code}`, map: null };
    }
  };
}
