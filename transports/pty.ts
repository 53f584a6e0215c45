// A real pseudo-terminal without a native module: a small python3 process opens the pty pair, keeps
// the slave side open in raw mode, and relays the master side to its stdin/stdout. The slave path
// (/dev/pts/N) is what a host opens with serial(); `port` is the device's end, e.g. for a device
// engine run on the host behind streamLink().
import { spawn, ChildProcess } from "node:child_process";
import type { BytePort } from "../core/byte-port";

// Non-blocking relay with bounded buffers: reads stop while 1 MiB waits to be written either way.
const RELAY = `
import os, pty, sys, tty, select
m, s = pty.openpty()
tty.setraw(s)
os.set_blocking(m, False)
sys.stderr.write("PTY %s\\n" % os.ttyname(s)); sys.stderr.flush()
i, o, LIMIT = 0, 1, 1 << 20
to_m = b""; to_o = b""; eof = False
while not (eof and not to_m):
    rl = ([] if eof or len(to_m) > LIMIT else [i]) + ([] if len(to_o) > LIMIT else [m])
    wl = ([m] if to_m else []) + ([o] if to_o else [])
    r, w, _ = select.select(rl, wl, [])
    if i in r:
        d = os.read(i, 65536)
        if d: to_m += d
        else: eof = True
    if m in r:
        try: to_o += os.read(m, 65536)
        except (BlockingIOError, OSError): pass
    if m in w:
        try: to_m = to_m[os.write(m, to_m):]
        except BlockingIOError: pass
    if o in w:
        to_o = to_o[os.write(o, to_o):]
`;

export interface PtyDevice {
  /** The slave side's path, e.g. /dev/pts/3: open it with serial(). */
  readonly path: string;
  /** The master side: bytes written here are read from `path`, and the other way round. */
  readonly port: BytePort;
  /** Ends the pty: whoever has `path` open sees it go away. */
  close(): void;
}

/** Opens a pseudo-terminal pair; needs python3 in PATH (rejects with a clear message otherwise). */
export function openPty(python = "python3"): Promise<PtyDevice> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(python, ["-u", "-c", RELAY], { stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      reject(new Error(`openPty: cannot start ${python}: ${(e as Error).message}`));
      return;
    }
    let started = false;
    let stderr = "";
    let dataCb: ((bytes: Uint8Array) => void) | null = null;
    let closeCb: (() => void) | null = null;
    let errorCb: ((e: Error) => void) | null = null;
    let exited = false;
    child.on("error", (err) => {
      if (!started) reject(new Error(`openPty: cannot start ${python} (install python3): ${err.message}`));
      else if (errorCb) errorCb(err);
    });
    child.on("exit", () => {
      exited = true;
      if (!started) reject(new Error(`openPty: ${python} exited before opening a pty: ${stderr.trim()}`));
      else if (closeCb) closeCb();
    });
    child.stdin!.on("error", () => {}); // EPIPE after the relay exited: reported by "exit"
    child.stdout!.on("data", (chunk: Buffer) => {
      if (dataCb) dataCb(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /^PTY (\S+)\n/.exec(stderr);
      if (started || !m) return;
      started = true;
      const close = () => {
        if (exited) return;
        child.stdin!.end();
        setTimeout(() => {
          if (!exited) child.kill("SIGKILL");
        }, 1000).unref();
      };
      resolve({
        path: m[1],
        close,
        port: {
          write: (bytes) => {
            if (!exited) child.stdin!.write(Buffer.from(bytes));
          },
          onData: (cb) => {
            dataCb = cb;
          },
          onClose: (cb) => {
            closeCb = cb;
          },
          onError: (cb) => {
            errorCb = cb;
          },
          close
        }
      });
    });
  });
}
