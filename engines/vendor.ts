// Where the upstream sources of the real engines and libraries are: $CELL_VENDOR, or ../shared/vendor
// next to the project (build machines reach no source host, so they are kept there, never in the repo).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

/** What each archive holds and where to get it when the vendor folder lacks it. */
export const VENDORED = {
  espruino: { file: "espruino-2v29.tar.gz", upstream: "github.com/espruino/Espruino tag RELEASE_2V29 (as espruino-2v29/)" },
  espruinoFix: {
    file: "espruino-2v29-fix-a3f085979-serial-data-loss.patch",
    upstream: "github.com/espruino/Espruino commit a3f085979 (git format-patch)"
  },
  jerryscript: {
    file: "jerryscript-3.0.0.tar.gz",
    upstream: "github.com/jerryscript-project/jerryscript tag v3.0.0 (as jerryscript-3.0.0/)"
  },
  monocypher: { file: "monocypher-4.0.2.tar.gz", upstream: "github.com/LoupVaillant/Monocypher tag 4.0.2 (as monocypher-4.0.2/)" },
  mavlink: {
    file: "mavlink-c_library_v2-7e16bc0.tar.gz",
    upstream: "github.com/mavlink/c_library_v2 commit 7e16bc0 (as mavlink-c_library_v2/)"
  }
} as const;

export type Vendored = keyof typeof VENDORED;

export function vendorDir(): string {
  return resolve(process.env.CELL_VENDOR || resolve(root, "../shared/vendor"));
}

/** The archive's path; throws naming the folder, the file and the upstream source to put there. */
export function vendored(what: Vendored): string {
  const { file, upstream } = VENDORED[what];
  const path = resolve(vendorDir(), file);
  if (!existsSync(path)) {
    throw new Error(`missing ${path}: put ${file} there (from ${upstream}), or point CELL_VENDOR at a folder that has it`);
  }
  return path;
}
