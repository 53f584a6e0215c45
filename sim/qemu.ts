// Boots the simulated board: one qemu-system-arm process per board, its wire UART (UART0) on a loopback
// TCP port. QEMU waits (wait=on) until a client connects, so no boot output is ever lost.
import { spawn, ChildProcess } from "node:child_process";
import { createServer, connect, Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { INSTALL_LINE } from "./build.mjs";

export var DEFAULT_ELF = join(dirname(fileURLToPath(import.meta.url)), "build", "cell-sim.elf");
/** Where the firmware keeps its bundle store (sim/firmware/link.ld); `bundleImage` files are loaded there. */
export var BUNDLE_STORE_ADDR = 0x20300000;
var BUNDLE_MAGIC = 0x424c4543; // "CELB"
/** Where the firmware looks for its provisioned public key (sim/firmware/release.h); `trustImage` files go there. */
export var TRUST_ADDR = 0x203ffe00;
var TRUST_MAGIC = 0x4b4c4543; // "CELK"

export interface BootOptions {
  elf?: string;
  /** TCP port for UART0 on 127.0.0.1; default: a free one. */
  port?: number;
  /** UART1, the console: "pipe" (default: collected, see SimBoard.console), "inherit", "null", or a file path. */
  console?: "pipe" | "inherit" | "null" | { file: string };
  /** Called with console text as it arrives (console "pipe" only). */
  onConsole?: (text: string) => void;
  /** `-icount shift=N,align=off`: virtual time from instruction counts, for repeatable timing. */
  icount?: number;
  /** A store image (see bundleImage) preloaded with `-device loader`: the board boots straight into it. */
  storeImage?: string;
  /**
   * A trust record (see trustImage) preloaded with `-device loader`: the board's provisioned public key, as a
   * factory writes it. No loader method can change it; from then on the board runs signed bundles only.
   */
  trustImage?: string;
  qemu?: string;
  /** More qemu-system-arm arguments, appended last (e.g. a QMP socket: sim/qmp.ts). */
  extraArgs?: string[];
}

export interface SimBoard {
  pid: number;
  port: number;
  /** Console output so far (console "pipe"). */
  console(): string;
  /** Resolves when `pattern` appears in the console output after `from` (default 0), or rejects after timeoutMs. */
  waitConsole(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Opens the wire UART (QEMU starts the CPU when this first connects). */
  connect(): Promise<Socket>;
  /** Resolves with QEMU's exit code (null if killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 2 s; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** A TCP port that was free on 127.0.0.1 a moment ago (QEMU may still lose a race: bootSim retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    var server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      var addr = server.address();
      var port = typeof addr === "object" && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The bundle store's layout: magic, size, crc32, reserved (u32 LE each), sha256[32], then the bundle. */
export function bundleImage(bundle: Uint8Array, crc32: number, sha256: Uint8Array): Uint8Array {
  if (sha256.length !== 32) throw new RangeError("bundleImage: sha256 must be 32 bytes");
  var out = new Uint8Array(48 + bundle.length);
  var view = new DataView(out.buffer);
  view.setUint32(0, BUNDLE_MAGIC, true);
  view.setUint32(4, bundle.length, true);
  view.setUint32(8, crc32 >>> 0, true);
  view.setUint32(12, 0, true);
  out.set(sha256, 16);
  out.set(bundle, 48);
  return out;
}

/** The trust record: magic "CELK" (u32 LE), then the raw 32-byte Ed25519 public key (spec/signing.md §1). */
export function trustImage(rawPublicKey: Uint8Array): Uint8Array {
  if (rawPublicKey.length !== 32) throw new RangeError("trustImage: a raw Ed25519 public key is 32 bytes");
  var out = new Uint8Array(36);
  new DataView(out.buffer).setUint32(0, TRUST_MAGIC, true);
  out.set(rawPublicKey, 4);
  return out;
}

function qemuArgs(opts: BootOptions, port: number): string[] {
  var args = ["-M", "mps2-an385", "-nographic", "-monitor", "none"];
  args.push("-serial", "tcp:127.0.0.1:" + port + ",server=on,wait=on");
  var con = opts.console || "pipe";
  args.push("-serial", con === "null" ? "null" : typeof con === "object" ? "file:" + con.file : "stdio");
  if (opts.icount !== undefined) args.push("-icount", "shift=" + opts.icount + ",align=off");
  args.push("-kernel", opts.elf || DEFAULT_ELF);
  if (opts.storeImage) args.push("-device", "loader,file=" + opts.storeImage + ",addr=0x" + BUNDLE_STORE_ADDR.toString(16));
  if (opts.trustImage) args.push("-device", "loader,file=" + opts.trustImage + ",addr=0x" + TRUST_ADDR.toString(16));
  if (opts.extraArgs) args.push(...opts.extraArgs);
  return args;
}

/** Starts QEMU and resolves once it listens on the UART port. */
export async function bootSim(opts?: BootOptions): Promise<SimBoard> {
  opts = opts || {};
  var lastError: Error | null = null;
  for (var attempt = 0; attempt < 3; attempt++) {
    var port = opts.port || (await freePort());
    try {
      return await start(opts, port);
    } catch (e) {
      lastError = e as Error;
      if (opts.port || !/address already in use|Failed to bind/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError;
}

function start(opts: BootOptions, port: number): Promise<SimBoard> {
  var con = opts.console || "pipe";
  var child: ChildProcess = spawn(opts.qemu || "qemu-system-arm", qemuArgs(opts, port), {
    stdio: ["ignore", con === "inherit" ? "inherit" : con === "pipe" ? "pipe" : "ignore", "pipe"]
  });
  var out = "";
  var stderr = "";
  var waiters: (() => void)[] = [];
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (d: string) => {
    out += d;
    if (opts!.onConsole) opts!.onConsole(d);
    waiters.slice().forEach((w) => w());
  });
  var exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    var listening = false;
    child.once("error", (e) => reject(new Error("qemu-system-arm could not start (" + e.message + "). Install it with:\n" + INSTALL_LINE)));
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => {
      stderr += d;
      if (!listening && /waiting for connection/.test(stderr)) {
        listening = true;
        resolve(board());
      }
    });
    exited.then((code) => {
      if (!listening) reject(new Error("qemu-system-arm exited (" + code + ") before listening: " + stderr.trim()));
    });
  });

  function board(): SimBoard {
    var killing: Promise<void> | null = null;
    return {
      pid: child.pid!,
      port: port,
      console: () => out,
      exited: exited,
      waitConsole(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray> {
        return new Promise((resolve, reject) => {
          var check = () => {
            var m = out.slice(from || 0).match(pattern);
            if (!m) return;
            done();
            resolve(m);
          };
          var timer = setTimeout(() => {
            done();
            reject(new Error("console: no " + pattern + " within " + (timeoutMs || 5000) + " ms; got:\n" + out));
          }, timeoutMs || 5000);
          var done = () => {
            clearTimeout(timer);
            var i = waiters.indexOf(check);
            if (i >= 0) waiters.splice(i, 1);
          };
          waiters.push(check);
          check();
        });
      },
      connect(): Promise<Socket> {
        return new Promise((resolve, reject) => {
          var sock = connect(port, "127.0.0.1");
          sock.once("connect", () => {
            sock.setNoDelay(true);
            resolve(sock);
          });
          sock.once("error", reject);
        });
      },
      kill(): Promise<void> {
        if (killing) return killing;
        killing = (async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill("SIGTERM");
          var hard = setTimeout(() => child.kill("SIGKILL"), 2000);
          await exited;
          clearTimeout(hard);
        })();
        return killing;
      }
    };
  }
}
