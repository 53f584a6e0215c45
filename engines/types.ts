// What the engine harnesses share: options, heap figures and the handle a test drives.
import type { BytePort } from "../core/byte-port";

export type EngineName = "duktape" | "quickjs";
export type Personality = "espruino" | "kaluma" | "sim";

export interface EngineOptions {
  engine: EngineName;
  /** Path of the bundle file, run unmodified. */
  bundle: string;
  personality: Personality;
  /** Caps the whole heap, built-ins included (duktape only; quickjs passes it as its loose limit). */
  heapLimit?: number;
  /** Caps what the bundle adds over the engine's startup baseline (boards whose built-ins live in flash). */
  heapBudget?: number;
  /** Personality options (see engines/personalities/*.js), e.g. { link: "Bluetooth" }. */
  opts?: Record<string, string>;
  /** "virtual": time moves only by tick(ms). Default "real". */
  clock?: "real" | "virtual";
  /** sim: largest frame (header + payload) the firmware's buffers take. Default 1024. */
  maxFrame?: number;
  /** Deliver input in pieces of at most this many bytes (UART-sized events). Default 1024. */
  chunk?: number;
}

export interface HeapFigures {
  /** Bytes in use now (duktape: exact, from its allocator; quickjs: its own accounting). */
  used: number;
  /** Most bytes in use at once (duktape: exact; quickjs: sampled after each event). */
  peak: number;
  /** In use once the engine and personality were up, before the bundle ran. */
  baseline: number;
  /** The cap (0: none). */
  limit: number;
}

export interface ExitInfo {
  code: number | null;
  /** "eof" (closed by us), "oom" (the heap cap was hit), "error" (the bundle failed), "fatal", "killed". */
  reason: string;
  message?: string;
}

/** A running device engine: a BytePort (wrap it in core's streamLink), plus what tests inspect. */
export interface Engine extends BytePort {
  readonly name: EngineName;
  /** Heap right now (as last reported). */
  heap(): HeapFigures;
  /** Heap right after the bundle ran and the engine collected garbage: what the program keeps. */
  readonly started: HeapFigures;
  /** Console and runner lines, in order. */
  readonly logs: string[];
  /** Errors thrown out of callbacks so far (the device keeps running after one). */
  uncaught(): number;
  /** Virtual clock only: moves time forward and runs the timers that fall due. */
  tick(ms: number): void;
  close(): void;
  readonly exited: Promise<ExitInfo>;
}
