// Signed releases on the QEMU boards (issue 14): what checking one costs in guest instructions, and what
// Monocypher adds to each firmware image.
//
// Instructions: QEMU runs with `-icount shift=0` (one virtual ns per guest instruction while the CPU is
// busy). The firmware reads its 25 MHz timer around crypto_ed25519_check and prints the difference
// ("loader: ed25519 check took N timer cycles"): N × 40 = guest instructions (the 1 kHz SysTick handler's
// few instructions included). At a machine reset the stored release is checked again before the bundle
// runs (SHA-256 of the bundle + the same Ed25519 check).
// Size: the .text + .rodata the map file gives Monocypher's two objects and release.c.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildFirmware, SIM_BOARDS } from "../sim/firmware-build";
import { startSim, SimSession } from "../sim/session";
import { loadSimBundle } from "../sim/bundle";
import { keyFromSeed } from "../trust/keys";
import { signRelease } from "../trust/release";

var RUNS = 3;
var NS_PER_CYCLE = 40; // 25 MHz timer under -icount shift=0

function median(xs: number[]): number {
  var s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Bytes of .text/.rodata each object file puts into the image, from the linker's map file. */
export function mapSizes(mapFile: string): Record<string, number> {
  var text = readFileSync(mapFile, "utf8");
  text = text.slice(text.indexOf("Linker script and memory map"));
  var sizes: Record<string, number> = {};
  var re = /^ (\.(?:text|rodata)\S*)\s*\n?\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(\S+\.o)$/gm;
  for (var m; (m = re.exec(text));) {
    var obj = m[3].replace(/.*\//, "");
    sizes[obj] = (sizes[obj] || 0) + parseInt(m[2], 16);
  }
  return sizes;
}

export async function runSimSigning(boards?: string[]): Promise<string[]> {
  var lines: string[] = [];
  var key = keyFromSeed(new Uint8Array(32).fill(0x11));
  for (var board of boards || SIM_BOARDS) {
    var fw = await buildFirmware(board, { log: () => {} });
    var sizes = mapSizes(fw.elf.replace(/\.elf$/, ".map"));
    var mono = (sizes["mc-monocypher.o"] || 0) + (sizes["mc-monocypher-ed25519.o"] || 0);
    lines.push(`--- ${board}`);
    lines.push(
      `code: Monocypher ${mono} bytes of .text+.rodata (monocypher.o ${sizes["mc-monocypher.o"]}, monocypher-ed25519.o ${sizes["mc-monocypher-ed25519.o"]}), release.c ${sizes["release.o"]}; image text ${fw.sizes.text} bytes`
    );
    var dir = mkdtempSync(join(tmpdir(), "cell-bench-signing-"));
    var sim: SimSession | null = null;
    try {
      var bundle = await loadSimBundle(join(dirname(fileURLToPath(import.meta.url)), "../examples/echo/echo.ts"), board, { outDir: dir });
      var signature = signRelease(bundle.bytes, { board, version: 1000000, cells: [] }, key.privateKey);
      sim = await startSim({ build: false, board, icount: 0, trustedKey: key.raw });
      var checks: number[] = [];
      for (var r = 0; r < RUNS; r++) {
        var from = sim.board.console().length;
        await sim.loader.flash(bundle.bytes, { signature });
        var m = await sim.board.waitConsole(/ed25519 check took (\d+) timer cycles/, 15000, from);
        checks.push(+m[1] * NS_PER_CYCLE);
      }
      var boots: number[] = [];
      for (var b = 0; b < RUNS; b++) {
        var at = sim.board.console().length;
        await sim.systemReset();
        var bm = await sim.board.waitConsole(/boot check of the stored release took (\d+) timer cycles/, 15000, at);
        boots.push(+bm[1] * NS_PER_CYCLE);
      }
      lines.push(
        `verify at commit (crypto_ed25519_check over a ${signature.length - 96}-byte statement), -icount shift=0: ${(median(checks) / 1e6).toFixed(2)}M instructions (runs ${checks.join("/")})`
      );
      lines.push(
        `check before start after a machine reset (SHA-256 of ${bundle.bytes.length} bundle bytes + Ed25519): ${(median(boots) / 1e6).toFixed(2)}M instructions (runs ${boots.join("/")})`
      );
    } finally {
      if (sim) await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines;
}
