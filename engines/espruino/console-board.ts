// An Espruino board for `cell flash` to find on a serial port: the board-like Linux build of Espruino
// 2v29 (build.ts) with its console on a pseudo-terminal (and the same console through a TCP bridge,
// as ser2net gives), its link on another pty served as tcp://, its Storage in a folder that survives
// a power cycle. Nothing of the bundle is put on it here: the flasher under test does that.
//
// What the hardware would give and a Linux build lacks is set up once, "at the factory", in
// .bootPowerOn (see sim.ts wiringCode): the link device opens the link pty; process.env.BOARD says
// the real board's build name (a Linux build says CELL_BOARD); and load(), which on a Linux build
// forgets that wiring, reboots the board instead (E.reboot() exits, the process is started again
// with its Storage: a power cycle), so .bootPowerOn and then .boot0 run as after load() on a board.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { ensureEspruino, EspruinoVariant } from "./build";
import { kill, serveLink, startProcess, wiringCode } from "./sim";
import { openPty, PtyDevice } from "../../transports/pty";
import { EspruinoRepl } from "../../transports/espruino/repl";
import { loadBoard } from "../../firmware/build/board";

/** Restarts after the board itself exited (E.reboot, two Ctrl-C): bounded, so a crash loop ends. */
const MAX_BOOTS = 40;

export interface ConsoleBoard {
  board: string;
  /** The console's serial port (a pty), what `cell flash --port` is given; a new one after an unplug. */
  readonly consolePath: string;
  /** The same console through TCP (one client at a time). */
  consoleUrl: string;
  /** The board's link, tcp://127.0.0.1:PORT. */
  linkUrl: string;
  /** Times the engine was started since the factory setup. */
  readonly boots: number;
  /** Everything the console printed. */
  readonly output: string;
  /** The Storage file (espruino.flash), as the board's flash holds it now. */
  flash(): Buffer;
  /** Console ptys replaced after an unplug (the new one may get the old path back). */
  readonly replugs: number;
  /** Pulls the console's cable once `bytes` more bytes came through it: the pty goes away, a new one is the console. */
  unplugConsoleAfter(bytes: number): void;
  /** Drops the next TCP console client after it has sent `bytes` bytes (a peer that goes away mid-way). */
  dropConsoleClientAfter(bytes: number): void;
  /** Power off and on: the engine is killed and started again; Storage stays. */
  powerCycle(): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleBoard(o: { board: string; variant?: EspruinoVariant }): Promise<ConsoleBoard> {
  const spec = loadBoard(o.board);
  const binary = ensureEspruino(o.board, o.variant || "stock");
  const dir = mkdtempSync(`${tmpdir()}/cell-espruino-console-${o.board}-`);
  const link = await openPty();
  const linkServer = await serveLink(link, 0);
  let consolePty: PtyDevice = await openPty();
  let unplugAfter = -1;
  let replugs = 0;
  let proc: { child: ChildProcess; exited: Promise<number | null> } | null = null;
  let output = "";
  let boots = 0;
  let closing = false;
  let client: Socket | null = null;
  let dropAfter = -1;
  const toEngine = (b: Uint8Array) => {
    if (proc && proc.child.exitCode === null) proc.child.stdin!.write(b); // a board still booting drops what comes
  };
  const fromEngine = (b: Buffer) => {
    output += b.toString("latin1");
    consolePty.port.write(b);
    if (client) client.write(b);
  };
  const powerOn = () => {
    boots++;
    const p = startProcess(binary.path, dir, fromEngine);
    proc = p;
    void p.exited.then(() => {
      if (proc === p && !closing && boots < MAX_BOOTS) powerOn();
    });
  };
  const powerOff = async () => {
    const p = proc;
    proc = null;
    if (p) await kill(p);
  };
  const plug = (pty: PtyDevice) => {
    consolePty = pty;
    pty.port.onData((b) => {
      if (pty !== consolePty) return;
      if (unplugAfter >= 0 && b.length >= unplugAfter) {
        toEngine(b.subarray(0, unplugAfter));
        unplugAfter = -1;
        pty.close();
        void openPty().then((next) => {
          if (closing) return next.close();
          plug(next);
          replugs++;
        });
        return;
      }
      if (unplugAfter >= 0) unplugAfter -= b.length;
      toEngine(b);
    });
  };
  const server: Server = createServer((sock) => {
    if (client) return void sock.destroy();
    client = sock;
    let received = 0;
    sock.on("data", (b) => {
      // The first client that sends that much is cut (a port check that connects and leaves is not).
      if (dropAfter >= 0 && received + b.length >= dropAfter) {
        toEngine(b.subarray(0, dropAfter - received));
        dropAfter = -1;
        sock.destroy();
        return;
      }
      received += b.length;
      toEngine(b);
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      if (client === sock) client = null;
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
  const cleanup = async () => {
    closing = true;
    await powerOff();
    if (client) client.destroy();
    server.close();
    linkServer.close();
    consolePty.close();
    link.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The factory: power-on wiring written through the engine's own stdin, before anyone has the console.
    const repl = new EspruinoRepl({ write: (b) => factory.child.stdin!.write(b) });
    const factory = startProcess(binary.path, dir, (b) => repl.feed(b));
    try {
      await repl.waitFor(/\n>/, 60000);
      await repl.attach();
      const identity = `(function(e){e.BOARD=${JSON.stringify(spec.firmware.build)};process.env=e})(process.env);`;
      const reboot = `global.load=function(){E.reboot()};`;
      await repl.upload(".bootPowerOn", Buffer.from(wiringCode(spec, link.path) + identity + reboot, "latin1"), { timeoutMs: 30000 });
    } finally {
      await kill(factory);
    }
    plug(consolePty);
    powerOn();
    const from = output.length;
    const end = Date.now() + 60000;
    while (!/\n>/.test(output.slice(from))) {
      if (Date.now() > end) throw new Error(`console board ${o.board}: no prompt after power-on:\n${output.slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    board: o.board,
    get replugs() {
      return replugs;
    },
    get consolePath() {
      return consolePty.path;
    },
    consoleUrl: `tcp://127.0.0.1:${(server.address() as { port: number }).port}`,
    linkUrl: `tcp://127.0.0.1:${(linkServer.address() as { port: number }).port}`,
    get boots() {
      return boots;
    },
    get output() {
      return output;
    },
    flash: () => readFileSync(`${dir}/espruino.flash`),
    unplugConsoleAfter(bytes) {
      unplugAfter = bytes;
    },
    dropConsoleClientAfter(bytes) {
      dropAfter = bytes;
    },
    async powerCycle() {
      await powerOff();
      powerOn();
    },
    close() {
      return (closed = closed || cleanup());
    }
  };
}
