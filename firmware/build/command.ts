// The build:firmware command line (and `cell build`): builds each board's bundle and prints the sizes.
import { relative, resolve } from "node:path";
import { buildBundle } from "./bundle";

const USAGE = "usage: build:firmware --board <id>[,<id>...] [--codecs compact,json] [--out build] [--no-minify] <cell module or directory>";

/** The command line: builds, prints sizes, returns the exit code (1 when a bundle is over its board's budget). */
export async function buildFirmware(argv: string[]): Promise<number> {
  const boards: string[] = [];
  let codecs: string[] | undefined;
  let outDir: string | undefined;
  let minify = true;
  let entry: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--board" && argv[i + 1]) boards.push(...argv[++i].split(","));
    else if (a === "--codecs" && argv[i + 1]) codecs = argv[++i].split(",");
    else if (a === "--out" && argv[i + 1]) outDir = resolve(argv[++i]);
    else if (a === "--no-minify") minify = false;
    else if (!a.startsWith("-") && !entry) entry = a;
    else {
      console.error(USAGE);
      return 2;
    }
  }
  if (!entry || boards.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let code = 0;
  for (const board of boards) {
    const r = await buildBundle({ board, entry, codecs, outDir, minify });
    const over = r.bytes > r.maxBundleBytes;
    console.log(`${board}: ${relative(process.cwd(), r.path)} ${r.bytes} bytes (${r.gzipBytes} gzip), budget ${r.maxBundleBytes}${over ? " -- OVER BUDGET" : ""}; cells ${r.cells.map((c) => `${c.name}#${c.schemaHash}`).join(", ")}`);
    if (over) code = 1;
  }
  return code;
}
