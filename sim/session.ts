// One simulated board, ready to use from the host: firmware built if needed, QEMU booted, its UART
// framed as a link, the loader's client, and the machine's reset button. Used by `cell sim`, the
// hardware tests, the bench and the demo.
import type { Socket } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware, simBoardConfig, simElf } from "./firmware-build";
import { bootSim, BootOptions, SimBoard, trustImage } from "./qemu";
import { qmpSocket, QmpSocket } from "./qmp";
import { socketLink, tcpUrl } from "./tcp-port";
import { rebootGuard, RebootGuard } from "./reboot-guard";
import { loaderClient, LoaderClient } from "./loader-client";
import { loaderCell } from "./loader-schema";

/** The first line the firmware prints on its console at every (re)boot (sim/firmware/engine.c). */
var BOOT_BANNER = /cell-sim board=\S+ heap=/g;

/** Counts boot banners in console text that arrives in arbitrary chunks (a banner may be split). */
function bannerCounter(): (text: string) => number {
  var carry = "";
  return (text) => {
    var s = carry + text;
    var found = 0;
    var end = 0;
    BOOT_BANNER.lastIndex = 0;
    while (BOOT_BANNER.exec(s)) {
      found++;
      end = BOOT_BANNER.lastIndex;
    }
    carry = s.slice(Math.max(end, s.length - 64)); // enough for a banner's start cut off at the end
    return found;
  };
}

/** QEMU processes of this Node process: killed if it exits without closing them (a crash, process.exit). */
var running = new Set<number>();
function killRunning(): void {
  running.forEach((pid) => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  });
}

export interface SimSessionOptions {
  /** Which QEMU firmware: qemu-mps2-an385 (Duktape, the default) or qemu-mps2-an385-jerryscript. */
  board?: string;
  /** UART0's TCP port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** `-icount shift=N`: deterministic virtual time (0: one instruction per virtual ns). */
  icount?: number;
  /** Console (UART1) text as it arrives; it is also kept (see board.console()). */
  onConsole?: (text: string) => void;
  /** Another firmware image (default: $CELL_SIM_ELF, else the board's image built by sim/build.mjs). */
  elf?: string;
  /** A bundle store image to boot straight into (sim/qemu.ts bundleImage; spec/loader.md, "The bundle store"). */
  storeImage?: string;
  /**
   * The raw Ed25519 public key (32 bytes) to provision, as a factory would: the board then runs only bundles
   * it signed (spec/signing.md; flash with `loader.flash(bytes, { signature })`). Default: none, any bundle runs.
   */
  trustedKey?: Uint8Array;
  /** Build the firmware first if it is missing or stale (default true). */
  build?: boolean;
  /** Build output lines (default: none). */
  log?: (line: string) => void;
}

export interface SimSession {
  readonly board: SimBoard;
  /** Where the board's UART is: tcp://127.0.0.1:PORT. */
  readonly url: string;
  /** The board's largest frame (boards/<board>.json). */
  readonly maxFrame: number;
  /** The UART as a framed link; calls lost to a reboot fail with Unreachable (sim/reboot-guard.ts). */
  readonly link: RebootGuard;
  readonly loader: LoaderClient;
  /** QEMU's `system_reset` (a hard reset of the machine); resolves once the board booted again. */
  systemReset(): Promise<void>;
  /** Writes raw bytes to the UART, past the framing (noise, hand-made frames: for tests). */
  writeRaw(bytes: Uint8Array): void;
  /** Closes the host's connection, freeing the UART port for another client (QEMU keeps running). */
  disconnect(): void;
  /** Disconnects and stops QEMU (by its PID); resolves once the process is gone. */
  close(): Promise<void>;
}

/** Builds (if needed), boots and connects one simulated board. */
export async function startSim(opts?: SimSessionOptions): Promise<SimSession> {
  var o = opts || {};
  var elf = o.elf || process.env.CELL_SIM_ELF || undefined;
  if (o.build !== false && !elf) await buildFirmware(o.board, { log: o.log || (() => {}) });
  if (!elf) elf = simElf(o.board);
  var maxFrame = simBoardConfig(o.board).maxFrame;
  var trustDir = o.trustedKey ? mkdtempSync(join(tmpdir(), "cell-trust-")) : null;
  var dropTrust = () => trustDir && rmSync(trustDir, { recursive: true, force: true });
  if (trustDir) writeFileSync(join(trustDir, "trust.bin"), trustImage(o.trustedKey!));
  var qmp: QmpSocket = qmpSocket();
  var onBanner: (() => void) | null = null;
  var countBanners = bannerCounter();
  var bootOpts: BootOptions = {
    port: o.port,
    elf: elf,
    icount: o.icount,
    storeImage: o.storeImage,
    trustImage: trustDir ? join(trustDir, "trust.bin") : undefined,
    extraArgs: qmp.args,
    onConsole(text) {
      if (o.onConsole) o.onConsole(text);
      if (countBanners(text) > 0 && onBanner) onBanner();
    }
  };
  var board: SimBoard;
  try {
    board = await bootSim(bootOpts);
  } catch (e) {
    qmp.dispose();
    dropTrust();
    throw e;
  }
  var sock: Socket;
  try {
    sock = await board.connect();
  } catch (e) {
    await board.kill();
    qmp.dispose();
    dropTrust();
    throw e;
  }
  if (running.size === 0) process.on("exit", killRunning);
  running.add(board.pid);
  board.exited.then(() => {
    running.delete(board.pid);
    if (running.size === 0) process.removeListener("exit", killRunning);
  });
  var link = rebootGuard(socketLink(sock, maxFrame), [loaderCell.id]);
  var loader = loaderClient(link);
  var connected = true;
  link.onClose(() => (connected = false));

  /** After a reboot: a loader call sent now is answered after everything sent before; what is then still unanswered was lost. */
  async function settleReboot(reason: string): Promise<void> {
    var mark = link.mark();
    if (!connected || (link.pending === 0 && link.subscriptions === 0)) return;
    try {
      await loader.status({ timeoutMs: 15000 });
    } catch {
      return; // board not answering: the lost calls time out on their own
    }
    link.failBefore(mark, reason);
  }
  onBanner = () => void settleReboot("the board rebooted (boot banner on its console)");

  return {
    board,
    url: tcpUrl(board.port),
    maxFrame,
    link,
    loader,
    async systemReset() {
      var from = board.console().length;
      await qmp.execute("system_reset");
      await board.waitConsole(/cell-sim board=\S+ heap=.* running=\w+\n/, 15000, from);
      await settleReboot("the board was reset (QEMU system_reset)");
    },
    writeRaw(bytes) {
      sock.write(Buffer.from(bytes));
    },
    disconnect() {
      link.close();
    },
    async close() {
      link.close();
      await board.kill();
      qmp.dispose();
      dropTrust();
    }
  };
}
