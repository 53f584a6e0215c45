import { spawn } from "node:child_process";
import { buildBundle } from "./firmware/build";
import { startConsoleBoard } from "./engines/espruino/console-board";
const echo = await buildBundle({ board: "esp32", entry: "examples/echo", outDir: "/tmp/h12try/out" });
const b = await startConsoleBoard({ board: "esp32" });
const from = b.output.length;
const r: any = await new Promise((resolve) => {
  const c = spawn(process.execPath, ["cli/bin/cell.mjs", "flash", "--timeout", "30000", "--board", "esp32", "--port", b.consolePath, echo.path]);
  let out = ""; c.stdout.on("data", (d) => (out += d)); c.stderr.on("data", (d) => (out += d));
  c.on("exit", (s) => resolve({ s, out }));
});
console.log(r.s, r.out);
const o = b.output.slice(from);
console.log("BOARD OUTPUT (" + o.length + "):\n" + JSON.stringify(o.slice(-3000)));
await b.close();
