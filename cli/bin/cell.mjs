#!/usr/bin/env node
// The `cell` command. Sources are TypeScript, run through tsx so a clone works without a build step.
import { register } from "tsx/esm/api";

register();
const { main, report } = await import("../main.ts");
// Whatever escapes a command (an error event nobody listened to) is still one line and exit 1.
const crash = (e) => {
  process.exitCode = report(e, process.argv[2]);
  process.exit();
};
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);
process.exitCode = await main(process.argv.slice(2));
