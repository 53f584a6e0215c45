// `npm run build:firmware -- --board esp32 examples/echo/echo.ts`: builds a device bundle and its
// manifest and prints the sizes (firmware/build/command.ts, shared with `cell build`).
import { buildFirmware } from "./command";

buildFirmware(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    console.error("build:firmware: " + (e && e.message ? e.message : String(e)));
    process.exitCode = 1;
  }
);
