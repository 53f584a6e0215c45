import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineCommand, option, nonEmpty } from "../args";
import { boardId } from "../boards";
import { CliError, ExitCode } from "../exit-codes";
import { SIM_BOARD_OF_PROJECTS } from "../project";

/**
 * The SDK running this command. A new project names it by its folder unless told otherwise: the SDK is
 * not on the npm registry under its name, so "^VERSION" would fetch another package.
 */
const SDK_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The SDK's own package.json: its version, and the tsx range the new project's test runs under. */
function sdkPackage(): { version: string; dependencies: Record<string, string> } {
  return JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
}

const SCHEMA = `// The hello cell's interface: what callers see. A schema module imports only cell/core/schema, so
// hosts can import it to call the cell and the device build compiles it to literals (no DSL on the board).
import { cell, method, event, t } from "cell/core/schema";

export var Hello = cell("hello", {
  greet: method(t.struct({ name: t.string }), t.struct({ text: t.string, count: t.u32 })),
  greeted: event(t.u32)
});
`;

const DEVICE = `// The hello cell's device code: ES5-safe TypeScript (no Promise, Map or async), handlers that answer
// synchronously. console.log goes to the board's log; board features come from "cell:hal".
import type { DeviceCell, DeviceServer } from "cell/firmware/runtime";
import { Hello } from "./schema";

export { Hello };

var count = 0;
var server: DeviceServer<typeof Hello.members> | null = null;

export var helloCell: DeviceCell<typeof Hello.members> = {
  def: Hello,
  handlers: {
    greet: function (req) {
      count++;
      console.log("greeting " + req.name);
      if (server) server.emit("greeted", count);
      return { text: "Hello, " + req.name + "!", count: count };
    }
  },
  start: function (s) {
    server = s;
  }
};

export default [helloCell];
`;

function hostTest(simBoard: string): string {
  return `// Calls the hello cell with full types on a simulated board: QEMU boots the ${simBoard} firmware, the
// bundle built from src/ for that board is flashed through its loader, then remote(Hello, link) calls it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startSim } from "cell/sim/session";
import { loadSimBundle } from "cell/sim/bundle";
import { remote } from "cell/core/host/remote";
import { Hello } from "../src/schema";

test("hello.greet answers on the simulated board", async () => {
  const bundle = await loadSimBundle("src", "${simBoard}");
  const sim = await startSim({ board: "${simBoard}" });
  try {
    await sim.loader.flash(bundle.bytes);
    const answer = await remote(Hello, sim.link).greet({ name: "Ada" }); // { text: string; count: number }
    console.log("hello.greet ->", JSON.stringify(answer));
    assert.deepEqual(answer, { text: "Hello, Ada!", count: 1 });
  } finally {
    await sim.close();
  }
});
`;
}

function readme(name: string, board: string, simBoard: string): string {
  return `# ${name}

A cell for ${board}: \`src/schema.ts\` is its interface, \`src/hello.ts\` its device code.

\`\`\`sh
npx cell build                    # build/${board}/src.js: the bundle for ${board}, and its manifest
npx cell sim                      # the cell on a simulated board (${simBoard} in QEMU), until Ctrl-C
npm test                          # test/hello.test.ts calls it on the simulated board, with full types
npx cell flash --board ${board} --port /dev/ttyUSB0 src   # onto the real board
npx cell monitor --port /dev/ttyUSB0 --schema src/schema.ts   # its console, cell frames decoded
\`\`\`

\`cell build\` and \`cell sim\` take their board and source folder from the \`cell\` field of package.json
when the command line does not name them.
`;
}

export const command = defineCommand({
  name: "new",
  summary: "start a project: a cell (schema + device code), a host test on the simulator, a README",
  args: [{ name: "dir", required: true, help: "the project folder to create (new or empty)" }],
  about: `Writes <dir>/package.json (depending on the SDK; its "cell" field names the board, the simulated
board and the source folder, so cell build and cell sim need no arguments there), src/schema.ts,
src/hello.ts, src/index.ts, test/hello.test.ts (node:test, on the simulated board ${SIM_BOARD_OF_PROJECTS}) and a README.`,
  options: {
    board: option({ value: "id", help: "the board the project targets (cell boards lists them)", required: true, parse: boardId }),
    sdk: option({
      value: "spec",
      help: "how package.json names the SDK: file:path/to/cell.tgz, a version range... (default: file: this SDK's folder)",
      parse: nonEmpty
    })
  },
  footer: "Exit 0 when written; 2 on bad arguments; 3 when <dir> exists and is not an empty folder or cannot be written.",
  async run(o, [dir]) {
    const root = resolve(dir);
    if (existsSync(root) && readdirSync(root).length > 0) {
      throw new CliError(`${dir} exists and is not empty: name a new or empty folder`, ExitCode.BadInput);
    }
    const sdk = sdkPackage();
    const name = basename(root)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-");
    const pkg = {
      name,
      version: "0.1.0",
      private: true,
      type: "module",
      scripts: { build: "cell build", sim: "cell sim", test: "node --import tsx --test test/hello.test.ts" },
      cell: { board: o.board, sim: SIM_BOARD_OF_PROJECTS, src: "src" },
      devDependencies: { cell: o.sdk ?? `file:${relative(root, SDK_ROOT) || "."}`, tsx: sdk.dependencies.tsx }
    };
    const files: Record<string, string> = {
      "package.json": JSON.stringify(pkg, null, 2) + "\n",
      "src/schema.ts": SCHEMA,
      "src/hello.ts": DEVICE,
      "src/index.ts": `// The cells this project's bundle serves.\nexport { default } from "./hello";\n`,
      "test/hello.test.ts": hostTest(SIM_BOARD_OF_PROJECTS),
      "README.md": readme(name, o.board, SIM_BOARD_OF_PROJECTS),
      ".gitignore": "node_modules/\nbuild/\n"
    };
    try {
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(join(root, file, ".."), { recursive: true });
        writeFileSync(join(root, file), text);
      }
    } catch (e) {
      throw new CliError(`cannot write ${dir}: ${(e as Error).message}`, ExitCode.BadInput, { cause: e });
    }
    console.log(`wrote ${dir}: a hello cell for ${o.board} (src/), a host test on ${SIM_BOARD_OF_PROJECTS} (test/), README.md`);
    console.log(`next: cd ${dir} && npm install && npx cell build && npm test`);
    return ExitCode.Ok;
  }
});
