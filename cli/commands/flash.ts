import type { Command } from "../command";
import { ExitCode, CliError } from "../exit-codes";
import { boardConfig } from "../../sim/build.mjs";
import { parseTcpUrl, openSocket, socketLink } from "../../sim/tcp-port";
import { rebootGuard } from "../../sim/reboot-guard";
import { loaderClient } from "../../sim/loader-client";
import { loaderCell } from "../../sim/loader-schema";
import { loadSimBundle, describeCells } from "../../sim/bundle";
import { parseSimArgs, requireSimBoard, simFailure, reportLines } from "../sim-support";

const usage = `usage: cell flash --board qemu-mps2-an385 --port tcp://127.0.0.1:PORT <cell module .ts | folder | bundle .js> [--timeout MS]

Flashes a running simulated board (see cell sim) through its cell.loader: builds the bundle if given a
cell module, writes it in frames the board accepts, commits it with its CRC-32 and SHA-256, waits until
it runs, and prints the cells it serves. A bundle that does not compile or throws at start is stored
but reported (the board stays flashable).

  --timeout MS   per loader call (default 10000)

Exit codes: 0 flashed and running, 2 usage, 3 the bundle does not build, is refused or does not run,
4 nothing listens at --port, 5 the board did not answer.`;

export const command: Command = {
  summary: "flash a bundle onto a running simulated board through its boot loader",
  usage,
  async run(args) {
    const a = parseSimArgs(args, ["--board", "--port", "--timeout"]);
    const board = requireSimBoard(a.board!);
    if (!a.port) throw new CliError("--port tcp://HOST:PORT is required (cell sim prints it)", ExitCode.Usage);
    let addr;
    try {
      addr = parseTcpUrl(a.port);
    } catch (e) {
      throw new CliError((e as Error).message, ExitCode.Usage);
    }
    const bundle = await loadSimBundle(a.input!, board.id, { log: (line) => console.log(line) }).catch((e) => {
      throw new CliError(`${a.input}: ${(e as Error).message}`, ExitCode.BadInput);
    });
    let link;
    try {
      link = rebootGuard(socketLink(await openSocket(addr), board.maxFrameBytes || boardConfig().maxFrame), [loaderCell.id]);
    } catch (e) {
      throw new CliError(`no simulated board at ${a.port}: ${(e as Error).message}`, ExitCode.Unavailable);
    }
    try {
      const started = Date.now();
      let shown = 0;
      const status = await loaderClient(link).flash(bundle.bytes, {
        timeoutMs: a.timeoutMs,
        onProgress(p) {
          const pct = Math.floor((100 * p.done) / p.total);
          if (p.phase === "write" && pct >= shown + 25) {
            console.log(`  wrote ${p.done} of ${p.total} bytes`);
            shown = pct - (pct % 25);
          }
          if (p.phase === "commit") console.log("  committing (CRC-32 + SHA-256 checked by the board), rebooting into it");
        }
      });
      const described = bundle.cells ? await describeCells(link, bundle.cells, a.timeoutMs) : null;
      console.log(`flashed ${a.port} in ${Date.now() - started} ms`);
      for (const line of reportLines(bundle, status, described)) console.log(line);
      return ExitCode.Ok;
    } catch (e) {
      throw simFailure(e);
    } finally {
      link.close();
    }
  }
};
