// `npm run bench`: every benchmark, as ratios against a baseline run side by side in this process.
import { runCore } from "./core";

console.log("# core (issue 2)\n");
for (const line of runCore()) console.log(line + "\n");
