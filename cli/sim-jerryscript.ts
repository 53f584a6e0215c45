// `cell sim --board rpi-pico <cell>`: the bundle on jerry-kaluma (JerryScript 3.0.0 with Kaluma's API),
// its link UART on a pseudo-terminal, served as tcp://127.0.0.1:PORT one client at a time, as the QEMU
// board serves its UART; the board's console is shown with a prefix. Runs until a signal or the engine
// stops.
import { createServer, Server, Socket } from "node:net";
import { closeSync, openSync, writeSync, constants } from "node:fs";
import { ReadStream } from "node:tty";
import { ExitCode, CliError } from "./exit-codes";
import { bridgeCommand, type SimArgs } from "./sim-support";
import { loadSimBundle, describeCells } from "../sim/bundle";
import { consoleLines } from "../sim/console-lines";
import { openSocket, socketLink, tcpUrl } from "../sim/tcp-port";
import { loadBoard } from "../firmware/build/board";
import { ensureKalumaRunner } from "../engines/jerryscript/build";
import { startKaluma, KalumaBoard } from "../engines/jerryscript/kaluma";

/** The pty as a byte stream for one TCP client at a time (bytes with no client are dropped, as on a wire). */
function servePty(path: string, port: number | undefined): Promise<{ server: Server; port: number; close(): void }> {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  const input = new ReadStream(fd);
  let client: Socket | null = null;
  input.on("data", (b: Buffer) => {
    if (client && !client.destroyed) client.write(b);
  });
  input.on("error", () => {}); // EIO once the engine is gone: the exit handler reports it
  const server = createServer((sock) => {
    if (client && !client.destroyed) {
      sock.destroy(); // the UART takes one client, as QEMU's does
      return;
    }
    client = sock;
    sock.setNoDelay(true);
    sock.on("data", (b: Buffer) => {
      for (let off = 0; off < b.length;) off += writeSync(fd, b, off);
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      if (client === sock) client = null;
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({
        server,
        port: typeof addr === "object" && addr ? addr.port : 0,
        close() {
          if (client) client.destroy();
          server.close();
          input.destroy();
          try {
            closeSync(fd);
          } catch {
            // already closed by the stream
          }
        }
      });
    });
  });
}

export async function simKaluma(a: SimArgs): Promise<number> {
  const board = loadBoard(a.board!);
  if ((a.count || 1) !== 1) throw new CliError("--count: one rpi-pico board per `cell sim` (it owns the pty)", ExitCode.Usage);
  const t0 = Date.now();
  const runner = ensureKalumaRunner();
  console.log(
    `engine: ${runner.binary} (JerryScript 3.0.0, ${runner.bits}-bit, heap ${board.ramBytes} bytes${runner.jerry.built ? `, built in ${runner.jerry.ms} ms` : ", up to date"})`
  );
  const bundle = await loadSimBundle(a.input!, board.id, { log: (line) => console.log(line) }).catch((e) => {
    throw new CliError(`${a.input}: ${(e as Error).message}`, ExitCode.BadInput);
  });
  const adc: Record<number, number> = {};
  for (const pin of board.sensors.adcPins || []) adc[Number(pin)] = 0.25;
  let dev: KalumaBoard;
  try {
    dev = await startKaluma({
      bundle: bundle.path,
      link: Number(board.ports.link.device),
      pty: true,
      adc,
      onConsole: consoleLines("pico| "),
      onOverrun: (o) =>
        console.log(`pico| UART${o.port}: read buffer overrun, ${o.lost} of ${o.received} bytes lost (they came while the cell was busy)`)
    });
  } catch (e) {
    throw new CliError((e as Error).message, ExitCode.BadInput);
  }
  const tcp = await servePty(dev.ptyPath!, a.port === undefined ? undefined : Number(a.port)).catch(async (e) => {
    await dev.close();
    throw new CliError((e as Error).message, ExitCode.Unavailable);
  });
  const url = tcpUrl(tcp.port);
  let described: Awaited<ReturnType<typeof describeCells>> | null = null;
  if (bundle.cells) {
    const sock = await openSocket({ host: "127.0.0.1", port: tcp.port });
    const link = socketLink(sock, board.maxFrameBytes);
    try {
      described = await describeCells(link, bundle.cells);
    } finally {
      sock.destroy();
    }
  }
  console.log(`board 0: ${board.id}, jerry-kaluma pid ${dev.pid}, started in ${Date.now() - t0} ms`);
  console.log(`  uart    ${url}   (UART${board.ports.link.device} on ${dev.ptyPath})`);
  const bridge = bridgeCommand(board.id, url);
  console.log(`  bridge  ${bridge}`);
  console.log(
    `  bundle  ${bundle.path} (${bundle.bytes.length} bytes), running; heap ${dev.started.heapUsed} of ${dev.started.heapTotal} bytes`
  );
  if (!described) console.log("  cells   unknown (no manifest.json next to the bundle lists it)");
  else
    for (const c of described) console.log(`  cell    ${c.name}: ${c.schema}${c.matches ? "" : "   (NOT the schema the build recorded)"}`);
  a.report?.({
    board: 0,
    id: board.id,
    pid: dev.pid,
    uart: url,
    bridge,
    bundle: { path: bundle.path, bytes: bundle.bytes.length },
    cells: described
  });
  console.log("1 board(s) running; Ctrl-C stops them.");

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      tcp.close();
      void dev.close().then(() => resolve(code));
    };
    const onSignal = (signal: string) => {
      console.log(`\n${signal}: stopping 1 board(s)`);
      stop(ExitCode.Ok);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    void dev.exited.then((code) => {
      if (stopping) return;
      console.error(`board 0: jerry-kaluma (pid ${dev.pid}) exited with ${code}`);
      stop(ExitCode.Failed);
    });
  });
}
