import { defineCommand, option, ms } from "../args";
import { ExitCode, CliError } from "../exit-codes";
import { BUNDLE_ARG, SIM_BOARD, tcpUrl } from "../sim-options";
import { checkReadable } from "../files";

export const command = defineCommand({
  name: "flash",
  summary: "flash a bundle onto a running simulated board through its boot loader",
  args: [BUNDLE_ARG],
  about: `Flashes a running simulated board (see cell sim) through its cell.loader: builds the bundle if given a
cell module, writes it in frames the board accepts, commits it with its CRC-32 and SHA-256, waits until
it runs, and prints the cells it serves. A bundle that does not compile or throws at start is stored
but reported (the board stays flashable).`,
  options: {
    board: SIM_BOARD,
    port: option({ value: "tcp://host:port", help: "the board's UART (cell sim prints it)", required: true, parse: tcpUrl }),
    timeout: option({ value: "ms", help: "per loader call (default 10000)", parse: ms })
  },
  footer: `Exit codes: 0 flashed and running, 2 usage, 3 the bundle does not build, is refused or does not run,
4 nothing listens at --port, 5 the board did not answer.`,
  async run(o, [input]) {
    checkReadable(input, "bundle", { folder: true });
    // The loader client and the socket load only now; the build (rollup) only once the board answers.
    const { boardConfig } = await import("../../sim/build.mjs");
    const { parseTcpUrl, openSocket, socketLink } = await import("../../sim/tcp-port");
    const { rebootGuard } = await import("../../sim/reboot-guard");
    const { loaderClient } = await import("../../sim/loader-client");
    const { loaderCell } = await import("../../sim/loader-schema");
    const { requireSimBoard, simFailure, reportLines } = await import("../sim-support");
    const a = { input, port: o.port, timeoutMs: o.timeout };
    const board = requireSimBoard(o.board);
    const addr = parseTcpUrl(a.port);
    let link;
    try {
      link = rebootGuard(socketLink(await openSocket(addr), board.maxFrameBytes || boardConfig().maxFrame), [loaderCell.id]);
    } catch (e) {
      throw new CliError(`no simulated board at ${a.port}: ${(e as Error).message}`, ExitCode.Unavailable);
    }
    let bundle;
    try {
      const { loadSimBundle } = await import("../../sim/bundle");
      bundle = await loadSimBundle(a.input, board.id, { log: (line) => console.log(line) });
    } catch (e) {
      link.close();
      throw new CliError(`${a.input}: ${(e as Error).message}`, ExitCode.BadInput);
    }
    const { describeCells } = await import("../../sim/bundle");
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
});
