// `npm run bench`: every benchmark, as ratios against a baseline run side by side in this process.
// `npm run bench -- core bridge sim` runs only the sections named; `--json FILE` also writes every
// figure (ratio, baseline, goal, met) as JSON, for CI to keep as an artefact.
import { writeFileSync } from "node:fs";
import { runCore } from "./core";
import { figures } from "./measure";

const sections: Record<string, () => Promise<string[]> | string[]> = {
  "core (issue 2)": runCore,
  "bridge (issue 5)": async () => (await import("./bridge")).runBridge(),
  "sim (issue 4)": async () => (await import("./sim")).runSim(),
  "engines (issue 3)": async () => (await import("./engines")).runEngines(),
  "mavlink (issue 13)": async () => (await import("./mavlink")).runMavlink(),
  "can (issue 16)": async () => (await import("./can")).runCan(),
  "sim-signing (issue 14)": async () => (await import("./sim-signing")).runSimSigning(),
  "quic (issue 15)": async () => (await import("./quic-compare")).runQuicCompare(),
  "espruino-callgrind (issue 15)": async () => (await import("./espruino-callgrind")).runEspruinoCallgrind()
};

const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const jsonFile = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] || "bench/results.json" : null;
const wanted = args;
for (const [title, run] of Object.entries(sections)) {
  if (wanted.length && !wanted.some((w) => title.startsWith(w))) continue;
  console.log(`# ${title}\n`);
  const from = figures.length;
  for (const line of await run()) console.log(line + "\n");
  for (let i = from; i < figures.length; i++) figures[i].section = figures[i].section || title;
}
if (jsonFile) {
  const table = { node: process.version, date: new Date().toISOString(), figures };
  writeFileSync(jsonFile, JSON.stringify(table, null, 2) + "\n");
  console.log(`${figures.length} figures written to ${jsonFile}`);
}
