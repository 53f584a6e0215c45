// Flashing a simulated board (QEMU) through its boot loader cell: the bundle in frames the board
// accepts, committed with its CRC-32 and SHA-256, then the board reboots into it and we ask its cells.
import { CliError, ExitCode } from "../exit-codes";
import { UsageError } from "../args";
import { tcpUrl } from "../sim-options";
import type { Board } from "../../firmware/build/board";
import type { FlashRequest, FlashReport } from "./flasher";

export async function checkPort(port: string, board: Board): Promise<void> {
  try {
    tcpUrl(port);
  } catch (e) {
    throw new UsageError(`--port for ${board.id} ${(e as Error).message}`);
  }
  const { parseTcpUrl, openSocket } = await import("../../sim/tcp-port");
  let socket;
  try {
    socket = await openSocket(parseTcpUrl(port));
  } catch (e) {
    throw new CliError(`no simulated board at ${port}: ${(e as Error).message}`, ExitCode.Unavailable);
  }
  socket.destroy();
}

export async function flash(req: FlashRequest): Promise<FlashReport> {
  const { parseTcpUrl, openSocket, socketLink } = await import("../../sim/tcp-port");
  const { rebootGuard } = await import("../../sim/reboot-guard");
  const { loaderClient } = await import("../../sim/loader-client");
  const { loaderCell } = await import("../../sim/loader-schema");
  const { describeCells } = await import("../../sim/bundle");
  const { simFailure, reportLines } = await import("../sim-support");
  let link;
  try {
    link = rebootGuard(socketLink(await openSocket(parseTcpUrl(req.port)), req.board.maxFrameBytes), [loaderCell.id]);
  } catch (e) {
    throw new CliError(`no simulated board at ${req.port}: ${(e as Error).message}`, ExitCode.Unavailable);
  }
  try {
    const started = Date.now();
    req.progress.step(`flashing ${req.bundle.bytes.length} bytes through ${req.board.id}'s cell.loader`);
    // The board checks the signature file again when a key is provisioned in it; only --allow-rollback lets
    // a lower version replace the running release there (spec/signing.md §4, Rollback).
    const status = await loaderClient(link).flash(req.bundle.bytes, {
      signature: req.signature,
      force: !!req.allowRollback,
      timeoutMs: req.timeoutMs,
      onProgress(p) {
        if (p.phase === "write") req.progress.bytes(p.done, p.total);
        if (p.phase === "commit") req.progress.step("committing (CRC-32 + SHA-256 checked by the board), rebooting into it");
      }
    });
    const ms = Date.now() - started;
    const described = req.bundle.cells ? await describeCells(link, req.bundle.cells, req.timeoutMs) : null;
    return {
      board: req.board.id,
      method: "cell-loader",
      port: req.port,
      bundle: req.bundle.path,
      bytes: req.bundle.bytes.length,
      ms,
      bytesPerSecond: ms > 0 ? Math.round((req.bundle.bytes.length * 1000) / ms) : 0,
      verified: `the board checked CRC-32 and SHA-256 of ${status.bundleSize} bytes${req.signature ? ", and the signature if it trusts a key" : ""}`,
      running: reportLines(req.bundle, status, described)
    };
  } catch (e) {
    const failure = simFailure(e);
    if ((e as { refusal?: string }).refusal === "Rollback") failure.message += "; cell flash --allow-rollback takes it anyway";
    throw failure;
  } finally {
    link.close();
  }
}
