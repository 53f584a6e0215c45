// A Kaluma board on the host: jerry-kaluma (JerryScript 3.0.0 + kaluma-runner.c) in a child process.
// The link UART's bytes go to its stdin and come from its stdout (or a pseudo-terminal with `pty`);
// "@@tag ..." lines on stderr carry console lines and JerryScript's heap statistics.
import { spawn, ChildProcess } from "node:child_process";
import type { BytePort } from "../../core/byte-port";
import { ensureKalumaRunner, PRELUDE, DEFAULT_BITS } from "./build";

/** jerry_heap_stats(): what process.memoryUsage() reports on Kaluma. */
export interface JerryHeap {
  heapTotal: number;
  heapUsed: number;
  heapPeak: number;
}

export interface KalumaOptions {
  bundle: string;
  /** The board's link UART (boards/rpi-pico.json ports.link.device). Default 0. */
  link?: number;
  /** analogRead values per pin, e.g. { 26: 0.25 }. */
  adc?: Record<number, number>;
  /** Keep storage in this file across runs (a board's flash). Default: in memory. */
  storageFile?: string;
  /** The UART on a pseudo-terminal instead of stdin/stdout (resolves once its path is known). */
  pty?: boolean;
  bits?: 32 | 64;
  /** Runner options (--opt KEY=VALUE), e.g. { uri: "jerryscript" } for the engine's own URI functions. */
  opts?: Record<string, string>;
  /** Console lines as they come. */
  onConsole?: (line: string) => void;
  /** Told each time a read of the link UART finds its read buffer overrun (bytes lost). */
  onOverrun?: (o: UartOverrun) => void;
}

/**
 * One read of the link UART's ring buffer that found more bytes written since the last read than it
 * shows: `received` came, the last `kept` were delivered, `lost` (the first ones) were written over.
 */
export interface UartOverrun {
  port: number;
  received: number;
  lost: number;
  kept: number;
}

export interface KalumaBoard extends BytePort {
  readonly pid: number;
  /** The pty's path (pty mode only). */
  readonly ptyPath: string | null;
  /** Heap after the prelude (Kaluma's own modules), and after the bundle ran and a GC. */
  readonly ready: JerryHeap;
  readonly started: JerryHeap;
  /** Runs a full GC and answers the heap. */
  gcHeap(): Promise<JerryHeap>;
  readonly logs: string[];
  /** Exceptions thrown out of callbacks (Kaluma prints them and goes on). */
  readonly uncaught: string[];
  /** Warnings about behaviour that is undefined on a board (malformed UTF-8/CESU-8). */
  readonly warnings: string[];
  /** Reads of the link UART that found its read buffer overrun (kaluma-uart-rx.c): bytes lost. */
  readonly overruns: UartOverrun[];
  /** Bytes that came while the link UART was not open (lost). */
  readonly lostBeforeOpen: number;
  close(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export async function startKaluma(o: KalumaOptions): Promise<KalumaBoard> {
  const runner = ensureKalumaRunner(o.bits || DEFAULT_BITS);
  const args = [...runner.command.args, "--link", String(o.link ?? 0), "--control-fd", "3", "--prelude", PRELUDE];
  if (o.pty) args.push("--pty");
  if (o.storageFile) args.push("--storage", o.storageFile);
  for (const [pin, v] of Object.entries(o.adc || {})) args.push("--opt", `adc.${pin}=${v}`);
  for (const [k, v] of Object.entries(o.opts || {})) args.push("--opt", `${k}=${v}`);
  args.push(o.bundle);
  const child: ChildProcess = spawn(runner.command.file, args, { stdio: ["pipe", "pipe", "pipe", "pipe"] });
  const control = child.stdio[3] as NodeJS.WritableStream;
  const logs: string[] = [],
    uncaught: string[] = [],
    warnings: string[] = [],
    overruns: UartOverrun[] = [];
  let lostBeforeOpen = 0;
  let ready: JerryHeap | null = null,
    started: JerryHeap | null = null,
    ptyPath: string | null = null;
  let failure: string | null = null;
  let dataCb: ((b: Uint8Array) => void) | null = null,
    closeCb: (() => void) | null = null,
    errorCb: ((e: Error) => void) | null = null;
  const heapWaiters: ((h: JerryHeap) => void)[] = [];
  let onStart: (() => void) | null = null;

  const exited = new Promise<number | null>((resolve) => {
    // "close", not "exit": the board's last bytes on stdout are delivered first.
    child.on("close", (code) => {
      resolve(code);
      if (closeCb) closeCb();
    });
  });

  let pending = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => {
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const m = /^@@([a-z]+) (.*)$/.exec(line);
      if (!m) {
        logs.push(line);
        continue;
      }
      const tag = m[1];
      const value = m[2].startsWith("{") || m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
      if (tag === "log" || tag === "print") {
        logs.push(value);
        if (o.onConsole) o.onConsole(value);
      } else if (tag === "uncaught") {
        uncaught.push(value);
        logs.push("uncaught: " + value);
        if (o.onConsole) o.onConsole("uncaught: " + value);
      } else if (tag === "warn") warnings.push(value);
      else if (tag === "error") {
        failure = value;
        logs.push("error: " + value);
      } else if (tag === "pty") ptyPath = value;
      else if (tag === "ready") ready = value;
      else if (tag === "overrun") {
        overruns.push(value);
        if (o.onOverrun) o.onOverrun(value);
      } else if (tag === "lost") lostBeforeOpen += Number(value);
      else if (tag === "exit") continue;
      else if (tag === "started") {
        started = value;
        if (onStart) onStart();
      } else if (tag === "heap") {
        const w = heapWaiters.shift();
        if (w) w(value);
      } else logs.push(line);
    }
  });
  // Bytes the bundle writes while it starts are kept for the first onData listener.
  const early: Uint8Array[] = [];
  child.stdout!.on("data", (b: Buffer) => {
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.length);
    if (dataCb) dataCb(bytes);
    else early.push(bytes);
  });
  child.stdin!.on("error", (e) => {
    if (errorCb && child.exitCode === null) errorCb(e);
  });
  control.on("error", () => {}); // the runner is gone; exited says why

  const board: KalumaBoard = {
    pid: child.pid!,
    get ptyPath() {
      return ptyPath;
    },
    get ready() {
      return ready!;
    },
    get started() {
      return started!;
    },
    logs,
    uncaught,
    warnings,
    overruns,
    get lostBeforeOpen() {
      return lostBeforeOpen;
    },
    write(bytes) {
      if (child.exitCode === null && !child.stdin!.destroyed) child.stdin!.write(Buffer.from(bytes));
    },
    onData(cb) {
      dataCb = cb;
      for (const b of early.splice(0)) cb(b);
    },
    onClose(cb) {
      closeCb = cb;
    },
    onError(cb) {
      errorCb = cb;
    },
    gcHeap() {
      return new Promise((resolve) => {
        heapWaiters.push(resolve);
        control.write("gc\n");
      });
    },
    close() {
      if (child.exitCode === null) {
        child.stdin!.end();
        if (o.pty) child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 3000);
        void exited.then(() => clearTimeout(t));
      }
      return exited.then(() => undefined);
    },
    exited
  };

  return new Promise<KalumaBoard>((resolve, reject) => {
    onStart = () => resolve(board);
    void exited.then((code) => {
      if (!started) reject(new Error(`jerry-kaluma stopped before the bundle started (exit ${code}): ${failure ?? logs.join("\n")}`));
    });
  });
}
