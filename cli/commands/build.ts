import { relative, resolve } from "node:path";
import { defineCommand, repeated, option, flag, UsageError } from "../args";
import { CliError, ExitCode } from "../exit-codes";
import { boardList } from "../boards";
import { checkReadable } from "../files";

const CODEC_NAMES = ["compact", "json", "msgpack", "raw"];

/** system/component, each 1..255: the board's MAVLink identity. */
function mavlinkNode(text: string): { system: number; component: number } {
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(text);
  const [system, component] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(system >= 1 && system <= 255 && component >= 1 && component <= 255)) {
    throw new Error(`takes system/component, each 1..255 (e.g. 1/191), got ${JSON.stringify(text)}`);
  }
  return { system, component };
}

/** x.y.z, minor and patch below 1000 (spec/signing.md §2 packs it in a u32). */
function releaseVersionText(text: string): string {
  const m = /^(\d{1,4})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m || Number(m[1]) > 4293) throw new Error(`takes a version x.y.z (major below 4294), got ${JSON.stringify(text)}`);
  return text;
}

function codecList(text: string): string[] {
  const list = text.split(",").map((c) => c.trim());
  const bad = list.find((c) => !CODEC_NAMES.includes(c));
  if (bad !== undefined) throw new Error(`takes codecs separated by commas (${CODEC_NAMES.join(", ")}), got ${JSON.stringify(bad)}`);
  return list;
}

/**
 * What a failed build says, as one line: rollup's errors carry the file in `id` and a `code`. Device code
 * the build refuses (type errors, the DSL in the bundle) exits 1, its problems printed first, one a line.
 */
function buildFailure(entry: string, board: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof Error && e.name === "DeviceCodeError") {
    for (const p of (e as Error & { problems: string[] }).problems) console.error(`  ${p}`);
    return new CliError(`${entry} for ${board}: ${e.message.split("\n")[0]}`, ExitCode.Failed, { cause: e });
  }
  const err = e as Error & { code?: string };
  const message = String(err?.message ?? e).split("\n")[0];
  return new CliError(`${entry} does not build for ${board}: ${message}`, ExitCode.BadInput, { cause: e });
}

export const command = defineCommand({
  name: "build",
  summary: "build a cell into a tree-shaken, minified ES5 bundle (and manifest) for a board",
  args: [{ name: "entry", required: true, help: "a cell module (.ts) or a folder with index.ts" }],
  about: `Writes build/<board>/<name>.js and adds the bundle to build/<board>/manifest.json (board, engine, bytes,
gzip bytes, SHA-256, codecs, cells with their schema hashes). Boards: boards/*.json. --sign also writes
build/<board>/<name>.js.cellsig, the signed release cell flash checks (spec/signing.md).`,
  options: {
    board: repeated({ value: "id[,id...]", help: "the board(s) to build for", required: true, parse: boardList }),
    codecs: option({ value: "list", help: "payload codecs in the bundle, e.g. compact,json (default: the board's)", parse: codecList }),
    out: option({ value: "dir", help: "where bundles and manifests go", default: "build" }),
    "no-minify": flag("keep the bundle readable"),
    json: flag("one JSON object per bundle (board, path, bytes, gzipBytes, budget, cells) instead of a line"),
    watch: flag("build again whenever a source in the cell's folder changes, until Ctrl-C (exit 0)"),
    mavlink: option({
      value: "system/component",
      help: "the board's link speaks MAVLink v2 (cell frames in TUNNELs, a HEARTBEAT a second) as this node, e.g. 1/191, for a board wired to a flight controller's TELEM port (spec/mavlink.md)",
      parse: mavlinkNode
    }),
    sign: option({ value: "file.key", help: "sign each bundle with this key (cell keygen): writes <bundle>.cellsig beside it" }),
    "release-version": option({
      value: "x.y.z",
      help: "the signed release's version (default: the nearest package.json's)",
      parse: releaseVersionText
    })
  },
  footer: `Exit 0 when every bundle is within its board's size budget; 1 when one is over, when the device code has
type errors against ES5 (each printed as file:line:column with what to use instead) or when a cell module
pulls the schema DSL into the bundle; 2 on bad arguments; 3 when the cell does not build otherwise or the
--sign key is not an Ed25519 private key.`,
  async run(o, [entry]) {
    checkReadable(entry, "entry", { folder: true });
    const releases = o.sign !== undefined || o["release-version"] !== undefined ? await import("../releases") : undefined;
    if (o["release-version"] !== undefined && o.sign === undefined) throw new UsageError("--release-version needs --sign");
    // The key and version are checked before anything is built: a typo costs no build.
    const signing =
      releases && o.sign !== undefined
        ? { releases, key: releases.readSigningKey(o.sign), version: releases.releaseVersion(entry, o["release-version"]) }
        : undefined;
    if (!o.watch) return buildAll(o, entry, signing);
    const { watchSources, untilSignal } = await import("../watch-sources");
    const once = () =>
      buildAll(o, entry, signing).catch((e: unknown) => {
        // Watching: a failed build is one line, and the next save tries again.
        console.error(`cell build: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
        return ExitCode.Failed;
      });
    await once();
    const watcher = watchSources(entry, async (files) => {
      console.log(`changed: ${files.map((f) => f || "(a file)").join(", ")}; building again`);
      await once();
    });
    console.log(`watching ${entry}; Ctrl-C stops`);
    await untilSignal();
    watcher.close();
    return ExitCode.Ok;
  }
});

type BuildValues = {
  board: string[][];
  codecs?: string[];
  out: string;
  "no-minify": boolean;
  json: boolean;
  mavlink?: { system: number; component: number };
};

type Releases = typeof import("../releases");
type Signing = { releases: Releases; key: ReturnType<Releases["readSigningKey"]>; version: ReturnType<Releases["releaseVersion"]> };

/** Builds `entry` for every board asked for (signing each bundle when asked); 0, or 1 when a bundle is over its budget. */
async function buildAll(o: BuildValues, entry: string, signing?: Signing): Promise<number> {
  const boards = o.board.flat();
  // rollup and TypeScript load only for this command, after the cheap checks.
  const { buildBundle } = await import("../../firmware/build");
  let code: number = ExitCode.Ok;
  for (const board of boards) {
    // rollup prints plugin warnings as they come; kept back, so a failed build is one line.
    const warned: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => void warned.push(a);
    let r;
    try {
      r = await buildBundle({ board, entry, codecs: o.codecs, outDir: resolve(o.out), minify: !o["no-minify"], mavlink: o.mavlink });
    } catch (e) {
      if (process.env.CELL_DEBUG === "1") for (const a of warned) warn(...a);
      throw buildFailure(entry, board, e);
    } finally {
      console.warn = warn;
    }
    for (const a of warned) warn(...a);
    const over = r.bytes > r.maxBundleBytes;
    const signed = signing
      ? signing.releases.signBundle(r.path, { board, version: signing.version, cells: r.cells }, signing.key)
      : undefined;
    if (o.json) {
      const cells = r.cells.map((c) => ({ name: c.name, id: c.id, schemaHash: c.schemaHash }));
      console.log(
        JSON.stringify({
          board,
          path: r.path,
          bytes: r.bytes,
          gzipBytes: r.gzipBytes,
          budget: r.maxBundleBytes,
          overBudget: over,
          cells,
          ...(signed ? { signature: signed.path, keyId: signed.keyId } : {})
        })
      );
      if (over) code = ExitCode.Failed;
      continue;
    }
    const cells = r.cells.map((c: { name: string; schemaHash: string }) => `${c.name}#${c.schemaHash}`).join(", ");
    console.log(
      `${board}: ${relative(process.cwd(), r.path)} ${r.bytes} bytes (${r.gzipBytes} gzip), budget ${r.maxBundleBytes}${over ? " -- OVER BUDGET" : ""}; cells ${cells}`
    );
    if (signed) console.log(`${board}: signed with key ${signed.keyId}: ${relative(process.cwd(), signed.path)}`);
    if (over) code = ExitCode.Failed;
  }
  return code;
}
