// `cell sim --watch`: a changed cell built again and flashed onto the running boards through their
// boot loader (cell.loader), on a connection of its own as `cell flash` makes (the UART takes one client:
// a program still connected to it holds the reflash back until it leaves, or the flash times out).
import { loadSimBundle, describeCells } from "../sim/bundle";
import { parseTcpUrl, openSocket, socketLink } from "../sim/tcp-port";
import { rebootGuard } from "../sim/reboot-guard";
import { loaderClient } from "../sim/loader-client";
import { loaderCell } from "../sim/loader-schema";
import { reportLines } from "./sim-support";

/** Builds `input` for `board` and flashes it onto the boards at `urls`; lines say what each runs now. */
export async function reflash(
  input: string,
  board: { id: string; maxFrameBytes: number },
  urls: string[],
  log: (line: string) => void
): Promise<void> {
  const bundle = await loadSimBundle(input, board.id, { log });
  for (const [i, url] of urls.entries()) {
    const started = Date.now();
    const link = rebootGuard(socketLink(await openSocket(parseTcpUrl(url)), board.maxFrameBytes), [loaderCell.id]);
    try {
      const status = await loaderClient(link).flash(bundle.bytes, { timeoutMs: 10000 });
      const described = bundle.cells ? await describeCells(link, bundle.cells) : null;
      log(`board ${i}: flashed again in ${Date.now() - started} ms`);
      for (const line of reportLines(bundle, status, described)) log(line);
    } finally {
      link.close();
    }
  }
}
