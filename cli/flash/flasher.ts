// What every flash method takes and returns, so `cell flash` is one command whatever the board: the
// command parses and checks, a method (one file per board family, loaded only when used) moves the bytes.
import type { Board } from "../../firmware/build/board";
import type { Progress } from "./progress";
import type { SimBundle } from "../../sim/bundle";

/** A bundle ready to flash: its bytes, the board its build was for, the cells it serves. */
export type FlashBundle = SimBundle;

export interface FlashRequest {
  board: Board;
  /** --port: a serial device path or tcp://host:port. */
  port: string;
  bundle: FlashBundle;
  /** Per exchange with the board (ms). */
  timeoutMs?: number;
  /** --force: write even when the board on the port is not the one the bundle was built for. */
  force: boolean;
  /** --allow-rollback: a board that checks releases takes one older than the running one. */
  allowRollback?: boolean;
  progress: Progress;
  /** The bundle's signature file (spec/signing.md §3), when it has one; the QEMU loaders check it again. */
  signature?: Uint8Array;
}

/** What a method reports; `cell flash --json` prints it as is. */
export interface FlashReport {
  board: string;
  method: string;
  port: string;
  bundle: string;
  bytes: number;
  ms: number;
  /** Bytes per second moved, from the first write to the last verified byte. */
  bytesPerSecond: number;
  /** How the board proved it holds the bundle ("read back 2417 bytes, checksum 0x1a2b3c4d"). */
  verified: string;
  /** Lines saying what runs now (cells and their schemas, heap). */
  running: string[];
}

/** One flash method (cli/flash/<method>.ts). */
export interface FlashMethod {
  /** Fails fast (CliError, exit 2 or 4) when --port is malformed or nothing is there, before any build. */
  checkPort(port: string, board: Board): Promise<void>;
  flash(req: FlashRequest): Promise<FlashReport>;
}
