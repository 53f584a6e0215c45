// What `cell sim` / `cell flash` are given: a cell module (built here with the per-board build) or an
// already built bundle (.js, with the cells it serves read from the manifest.json next to it).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { Transport } from "../core/transport";
import { cell } from "../core/schema";
import { connect } from "../core/rpc/client";
import { hostEndpoint } from "../core/host/defaults";
import { buildBundle, type BundleCell } from "../firmware/build";

export interface SimBundle {
  /** The bundle file. */
  path: string;
  bytes: Uint8Array;
  /** The cells it serves (from the build or its manifest); null when no manifest describes this file. */
  cells: BundleCell[] | null;
  /** True when it was built from a cell module just now. */
  built: boolean;
  /** The board it was built for (its build, or the manifest next to it); null when unknown. */
  builtFor: string | null;
}

export function isBuiltBundle(input: string): boolean {
  return /\.(js|mjs|cjs)$/.test(input);
}

/** The manifest's word on `file`, when build/<board>/manifest.json lists it with the same SHA-256. */
function manifestEntry(file: string, bytes: Uint8Array): { cells: BundleCell[] | null; builtFor: string | null } {
  var none = { cells: null, builtFor: null };
  var manifest = join(dirname(file), "manifest.json");
  if (!existsSync(manifest)) return none;
  var sha = createHash("sha256").update(bytes).digest("hex");
  try {
    var parsed = JSON.parse(readFileSync(manifest, "utf8"));
    var bundles = parsed.bundles || {};
    for (var name in bundles) {
      var b = bundles[name];
      if (b && b.file === basename(file) && b.sha256 === sha && Array.isArray(b.cells)) {
        return { cells: b.cells, builtFor: typeof parsed.board === "string" ? parsed.board : null };
      }
    }
  } catch {
    return none; // a damaged manifest only costs what it would have told
  }
  return none;
}

/** Builds `input` for `board` when it is a cell module (file or directory), else reads the bundle. */
export async function loadSimBundle(
  input: string,
  board: string,
  opts?: { outDir?: string; log?: (line: string) => void }
): Promise<SimBundle> {
  if (isBuiltBundle(input)) {
    if (!existsSync(input)) throw new Error(`${input}: no such file`);
    var bytes = new Uint8Array(readFileSync(input));
    return { path: input, bytes, ...manifestEntry(input, bytes), built: false };
  }
  // Into ./build, as `cell build` writes (not the SDK's folder, which an installed SDK keeps in node_modules).
  var r = await buildBundle({ board, entry: input, outDir: (opts && opts.outDir) || resolve("build") });
  if (opts && opts.log) {
    opts.log(
      `built ${relative(process.cwd(), r.path)}: ${r.bytes} bytes (${r.gzipBytes} gzip), cells ${r.cells.map((c) => c.name).join(", ")}`
    );
  }
  return { path: r.path, bytes: new Uint8Array(readFileSync(r.path)), cells: r.cells, built: true, builtFor: board };
}

export interface DescribedCell {
  name: string;
  /** The board's canonical schema text. */
  schema: string;
  /** Whether it is the text the build recorded (false: the board runs something else). */
  matches: boolean;
}

/** Asks the board for each cell's schema (describe needs only the cell id, i.e. its name). */
export function describeCells(link: Transport, cells: BundleCell[], timeoutMs = 5000): Promise<DescribedCell[]> {
  hostEndpoint(link); // the host's limits, if this is the first use of the link
  return Promise.all(
    cells.map(
      (c) =>
        new Promise<DescribedCell>((resolve, reject) => {
          var client = connect(cell(c.name, {}), link);
          client.describe(
            (err, text) => {
              if (err) reject(err);
              else resolve({ name: c.name, schema: text!, matches: text === c.schema });
            },
            { timeoutMs }
          );
        })
    )
  );
}
