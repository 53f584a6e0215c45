// `npm run build:firmware -- --board esp32 examples/echo/echo.ts`: builds a device bundle and its
// manifest and prints the sizes. The build itself is in rollup.config.mjs, shared with `rollup -c`
// and the CLI. (Declared here rather than imported: this folder type-checks against ES5 only.)
import { buildFirmware } from "../rollup.config.mjs";

declare var process: { argv: string[]; exitCode: number | undefined };
declare var console: { error(message: string): void };

buildFirmware(process.argv.slice(2)).then(
  function (code) {
    process.exitCode = code;
  },
  function (e: Error) {
    console.error("build:firmware: " + (e && e.message ? e.message : String(e)));
    process.exitCode = 1;
  }
);
