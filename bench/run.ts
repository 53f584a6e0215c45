// `npm run bench`: every benchmark, as ratios against a baseline run side by side in this process.
// `npm run bench -- core bridge sim` runs only the sections named.
import { runCore } from "./core";

const sections: Record<string, () => Promise<string[]> | string[]> = {
  "core (issue 2)": runCore,
  "bridge (issue 5)": async () => (await import("./bridge")).runBridge(),
  "sim (issue 4)": async () => (await import("./sim")).runSim(),
  "engines (issue 3)": async () => (await import("./engines")).runEngines(),
  "mavlink (issue 13)": async () => (await import("./mavlink")).runMavlink(),
  "can (issue 16)": async () => (await import("./can")).runCan(),
  "sim-signing (issue 14)": async () => (await import("./sim-signing")).runSimSigning()
};

const wanted = process.argv.slice(2);
for (const [title, run] of Object.entries(sections)) {
  if (wanted.length && !wanted.some((w) => title.startsWith(w))) continue;
  console.log(`# ${title}\n`);
  for (const line of await run()) console.log(line + "\n");
}
