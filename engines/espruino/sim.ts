// An Espruino board simulated by the real engine: the board-like Linux build of Espruino 2v29 (see
// build.ts) runs as its own process, its console on stdin/stdout. The bundle goes in through the REPL
// as a flasher puts it on a board (transports/espruino/repl.ts: .boot0 in Storage, read back and
// checked), then the board is power-cycled and boots it. The board's link port is wired to a
// pseudo-terminal, served as tcp://127.0.0.1:PORT (one client at a time, like QEMU's UART).
//
// Wiring, written by the sim (not the flasher) to `.bootPowerOn`, which Espruino runs at power-on
// before .boot0: a Linux build's serial ports have no pins, only a `path`, so
//   - a UART link (esp32, espruino-pico: Serial2) gets the pty path added to whatever setup() it is
//     given: the bundle's own Serial2.setup(115200, {tx, rx}) then opens the pty;
//   - a Bluetooth link (puckjs: the Nordic UART Service) has no Linux counterpart: `Bluetooth` is
//     Serial3 on the pty, a serial device that queues data events the way Bluetooth's do. The adapter
//     moves the console to LoopbackA (as on the Puck), so the sim pipes USB (stdin/stdout) to
//     LoopbackB: the console stays reachable, as through a Puck's wired Serial1. Nor has the build an
//     `NRF` object: a stand-in with the real signatures keeps what the bundle passes to
//     NRF.setAdvertising(data, options) and NRF.setScanResponse(data), and advertising() reads it back
//     as the bytes an nRF52 Espruino would send (nrf-advertising.ts);
//   - pin names the Linux build lacks (the Pico's A2/A3...) are defined as spare Linux pins.
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { ensureEspruino, espruinoCommand, EspruinoArch, EspruinoBinary, EspruinoOptimize, EspruinoVariant } from "./build";
import { openPty, PtyDevice } from "../../transports/pty";
import { EspruinoRepl } from "../../transports/espruino/repl";
import { loadBoard, type Board } from "../../firmware/build/board";
import { advertisingData, scanResponseData, NrfCalls } from "./nrf-advertising";

export interface EspruinoSimOptions {
  board: string;
  variant?: EspruinoVariant;
  /** The bundle to flash. */
  bundle: Uint8Array;
  /** TCP port for the link (default: a free one). */
  port?: number;
  /** Console output, as it comes. */
  onConsole?: (text: string) => void;
  /** The build's architecture (default x86-32, the board-like one; x86-64 is for valgrind only). */
  arch?: EspruinoArch;
  /** An optimisation level for an x86-64 build (see build.ts). */
  optimize?: EspruinoOptimize;
  /** A command the booted board's engine runs under, e.g. valgrind and its options (x86-64 only). */
  wrap?: string[];
}

export interface EspruinoSim {
  board: string;
  variant: EspruinoVariant;
  binary: EspruinoBinary;
  /** tcp://127.0.0.1:PORT: the board's link. */
  url: string;
  port: number;
  /** The engine process (qemu-i386 running espruino where the kernel runs no 32-bit programs). */
  pid: number;
  /** The board's console REPL (after boot). */
  repl: EspruinoRepl;
  /** Upload time of the bundle, ms. */
  flashMs: number;
  /**
   * A Bluetooth board's advertising data and scan response, from the bundle's last NRF.setAdvertising
   * and NRF.setScanResponse calls (null: it made none), with the calls themselves.
   */
  advertising(): Promise<{ data: Uint8Array; scanResponse: Uint8Array; calls: NrfCalls } | null>;
  /** JsVars in use (process.memory(), after its garbage collection) and the board's total. */
  memory(): Promise<{ usage: number; total: number }>;
  exited: Promise<number | null>;
  /** Ends the engine as its console's Ctrl-D does (a clean exit, so valgrind writes its counts). */
  quit(): Promise<number | null>;
  close(): Promise<void>;
}

type SimBoard = Pick<Board, "ports" | "sensors">;

/**
 * Pin names the board's JSON uses that the Linux build lacks (it has only D0..D31; a Pico has A2,
 * B1...), defined as Linux pins from D20 up: pins are numbers on Espruino, so the bundle sees a pin.
 */
function pinNames(board: SimBoard): string {
  const names: string[] = [];
  for (const p of Object.values(board.ports)) if (p.pins) names.push(String(p.pins.tx), String(p.pins.rx));
  for (const a of (board.sensors && board.sensors.adcPins) || []) names.push(String(a));
  const missing = names.filter((n, i) => /^[A-Z]\d+$/.test(n) && !/^D\d+$/.test(n) && names.indexOf(n) === i);
  if (missing.length > 12) throw new Error("sim: too many pin names to map");
  return missing.map((n, i) => `global.${n}=D${20 + i};`).join("");
}

/** What .bootPowerOn holds for a board: its pin names, its link device mapped to the pty (see the header). */
export function wiringCode(board: SimBoard, ptyPath: string): string {
  const link = board.ports.link;
  const path = JSON.stringify(ptyPath);
  const pins = pinNames(board);
  if (link.kind === "ble-uart") {
    return (
      pins +
      `Serial3.setup(115200,{path:${path}});global.Bluetooth=Serial3;` +
      `global.NRF={setAdvertising:function(d,o){NRF.adv=[d,o]},setScanResponse:function(d){NRF.rsp=d}};` +
      `USB.on("data",function(d){LoopbackB.write(d)});LoopbackB.on("data",function(d){USB.write(d)});`
    );
  }
  if (!/^Serial\d$/.test(String(link.device))) throw new Error(`sim: cannot wire link device ${link.device}`);
  const d = link.device;
  return pins + `(function(o){${d}.setup=function(b,p){p=p||{};p.path=${path};o.call(${d},b,p)}})(${d}.setup);`;
}

export function startProcess(
  binary: string,
  cwd: string,
  onOut: (b: Buffer) => void,
  cmd: { file: string; args: string[] } = espruinoCommand(binary)
): { child: ChildProcess; exited: Promise<number | null> } {
  // stdin stays open: a Linux build whose stdin closes spins.
  const child = spawn(cmd.file, cmd.args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin!.on("error", () => {});
  child.stdout!.on("data", onOut);
  child.stderr!.on("data", onOut);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited };
}

/** SIGTERM does not stop a Linux build: SIGKILL, by pid. */
export function kill(p: { child: ChildProcess; exited: Promise<number | null> }): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  return p.exited;
}

export function serveLink(pty: PtyDevice, port: number): Promise<Server> {
  let client: Socket | null = null;
  pty.port.onData((bytes) => {
    if (client) client.write(Buffer.from(bytes)); // nobody connected: bytes fall off the wire, as on a UART
  });
  const server = createServer((sock) => {
    if (client) return void sock.destroy(); // one client at a time
    client = sock;
    sock.setNoDelay(true);
    sock.on("data", (b) => pty.port.write(b));
    sock.on("error", () => {});
    sock.on("close", () => {
      if (client === sock) client = null;
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

export async function startEspruinoSim(o: EspruinoSimOptions): Promise<EspruinoSim> {
  const variant = o.variant || "stock";
  const board = loadBoard(o.board);
  const arch = o.arch || "x86-32";
  if (o.wrap && arch !== "x86-64") throw new Error("sim: only an x86-64 build runs under a wrapper such as valgrind");
  const binary = ensureEspruino(o.board, variant, arch, o.optimize);
  // A 64-bit build runs directly (espruinoCommand's launcher is for the 32-bit ones).
  const direct = arch === "x86-64" ? { file: binary.path, args: [] as string[] } : undefined;
  const dir = mkdtempSync(`${tmpdir()}/cell-espruino-${o.board}-`); // its espruino.flash is the board's flash
  const pty = await openPty();
  const server = await serveLink(pty, o.port || 0);
  const port = (server.address() as { port: number }).port;
  let repl!: EspruinoRepl;
  let proc!: { child: ChildProcess; exited: Promise<number | null> };
  const boot = (wrap?: string[]) => {
    const cmd = direct && wrap ? { file: wrap[0], args: [...wrap.slice(1), binary.path] } : direct;
    proc = startProcess(
      binary.path,
      dir,
      (b) => {
        repl.feed(b);
        if (o.onConsole) o.onConsole(b.toString("latin1"));
      },
      cmd
    );
    repl = new EspruinoRepl({ write: (b) => proc.child.stdin!.write(b) });
  };
  const cleanup = async () => {
    if (proc) await kill(proc);
    server.close();
    pty.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let flashMs = 0;
  try {
    boot();
    await repl.waitFor(/\n>/, 60000);
    const started = Date.now();
    await repl.attach();
    await repl.upload(".bootPowerOn", Buffer.from(wiringCode(board, pty.path), "latin1"));
    await repl.upload(".boot0", o.bundle);
    flashMs = Date.now() - started;
    await kill(proc); // power-cycle: the board boots what was flashed, .bootPowerOn first
    boot(o.wrap);
    await repl.waitFor(/\n>/, o.wrap ? 300000 : 60000); // valgrind slows start-up many times
    await repl.evaluate("1");
  } catch (e) {
    await cleanup();
    throw e;
  }
  let closing: Promise<void> | null = null;
  return {
    board: o.board,
    variant,
    binary,
    url: `tcp://127.0.0.1:${port}`,
    port,
    get pid() {
      return proc.child.pid!;
    },
    get repl() {
      return repl;
    },
    flashMs,
    get exited() {
      return proc.exited;
    },
    async advertising() {
      if (board.ports.link.kind !== "ble-uart") return null;
      const text = await repl.evaluate(`JSON.stringify({advertising:NRF.adv,scanResponse:NRF.rsp})`);
      const calls = JSON.parse(text) as NrfCalls;
      if (!calls.advertising) return null;
      return {
        data: advertisingData(calls.advertising[0], calls.advertising[1] ?? undefined),
        scanResponse: scanResponseData(calls.scanResponse),
        calls
      };
    },
    async memory() {
      const [usage, total] = (await repl.evaluate(`(function(m){return m.usage+","+m.total})(process.memory())`)).split(",").map(Number);
      return { usage, total };
    },
    quit() {
      proc.child.stdin!.write("\x04");
      return proc.exited;
    },
    close() {
      return (closing = closing || cleanup());
    }
  } as EspruinoSim;
}
