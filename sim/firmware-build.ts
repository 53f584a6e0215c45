// The QEMU firmware image of a simulated board, built if needed: sim/build.mjs does the building; this
// picks the image by board and finds the vendored archives: Monocypher for both images, JerryScript for the
// JerryScript one (engines/vendor.ts: $CELL_VENDOR or ../shared/vendor). `npm run build:sim:jerryscript`.
import { fileURLToPath } from "node:url";
import { buildSim, DUKTAPE_BOARD, JERRYSCRIPT_BOARD, ELF, JERRY_ELF, SimBuildResult } from "./build.mjs";
import { vendored } from "../engines/vendor";
import { loadBoard } from "../firmware/build/board";

/** The boards that run our QEMU firmware, one image each. */
export var SIM_BOARDS = [DUKTAPE_BOARD, JERRYSCRIPT_BOARD];

function check(board: string): string {
  if (SIM_BOARDS.indexOf(board) < 0) throw new Error(`no QEMU firmware for board ${board} (one of ${SIM_BOARDS.join(", ")})`);
  return board;
}

/** Where the board's image is (built or not). */
export function simElf(board?: string): string {
  return check(board || DUKTAPE_BOARD) === JERRYSCRIPT_BOARD ? JERRY_ELF : ELF;
}

/** Heap and frame limits of the board's image, from its board file; CELL_HEAP_SIZE in the environment wins. */
export function simBoardConfig(board?: string): { heapBytes: number; maxFrame: number } {
  var b = loadBoard(check(board || DUKTAPE_BOARD));
  var heapBytes = process.env.CELL_HEAP_SIZE ? parseInt(process.env.CELL_HEAP_SIZE, 10) : b.ramBytes;
  if (!(heapBytes >= 16384 && heapBytes <= 2 * 1024 * 1024)) throw new Error(`build:sim: heap size must be 16 KB..2 MB, got ${heapBytes}`);
  return { heapBytes, maxFrame: b.maxFrameBytes };
}

/**
 * The vendored Monocypher archive, or null when it is not there (an SDK installed from npm): the image is
 * then built without Ed25519 and says so; it runs unsigned bundles and refuses signed ones.
 */
function monocypherIfThere(log?: (line: string) => void): string | null {
  try {
    return vendored("monocypher");
  } catch (e) {
    (log || console.log)(`no Monocypher, so this image checks no signed releases: ${(e as Error).message}`);
    return null;
  }
}

/** Builds the board's image if it is missing or stale. */
export function buildFirmware(board?: string, opts?: { log?: (line: string) => void }): Promise<SimBuildResult> {
  var id = check(board || DUKTAPE_BOARD);
  var limits = simBoardConfig(id);
  var monocypherArchive = monocypherIfThere(opts && opts.log);
  if (id === DUKTAPE_BOARD) return buildSim({ limits, monocypherArchive, log: opts && opts.log });
  return buildSim({ board: id, limits, jerryscriptArchive: vendored("jerryscript"), monocypherArchive, log: opts && opts.log });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  var i = process.argv.indexOf("--board");
  var board = i > 0 ? process.argv[i + 1] : DUKTAPE_BOARD;
  var started = Date.now();
  buildFirmware(board).then(
    (r) => {
      console.log(
        `${r.rebuilt ? "built" : "up to date"} ${r.elf}: text ${r.sizes.text}, data ${r.sizes.data}, bss ${r.sizes.bss} bytes ` +
          `(JS heap ${r.heapBytes}, max frame ${r.maxFrame}) in ${((Date.now() - started) / 1000).toFixed(1)} s`
      );
    },
    (e) => {
      console.error((e as Error).message);
      process.exit(1);
    }
  );
}
