// A Kaluma board's REPL for tests, as kaluma-project/kaluma src/repl.c behaves: it echoes, answers a
// line on "\r" (JS through node:vm, or a "." command), redraws its prompt with escape sequences, and
// `.flash -w` prints its banner and hands the line to a YMODEM receiver: here Debian's `rb --ymodem`
// (lrzsz), an implementation independent of ours. `.flash -s` and `.load` act on what rb received.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import type { BytePort } from "../../core/byte-port";

export interface KalumaReplOptions {
  /** Where the program received goes (program.js in it); kept across connections, as a board's flash. */
  dir: string;
  boardName?: string;
  version?: string;
  /** Pace the YMODEM bytes both ways to this many bytes per second (115200 baud, 8N1: 11520). */
  bytesPerSecond?: number;
  /** Closes the port once the receiver has been given this many bytes (a board unplugged mid-transfer). */
  closeAfterBytes?: number;
  /** In the first transfer, stops rb with SIGINT once it has been given this many bytes: it cancels with CANs. */
  cancelAfterBytes?: number;
  /** More arguments for rb, e.g. ["--errors", "3000"]: it then makes up a CRC error every 3000 bytes. */
  rbArgs?: string[];
  /** `.load`: runs the program; what it resolves with is printed (an error in red, as Kaluma does). */
  onLoad?(program: string): Promise<{ error?: string } | void>;
}

const PROMPT = "\x1b[0m\r\x1b7> \x1b[H\x1b[900C\x1b[6n\x1b8\x1b[2C";
const BANNER = "Transfer a file via YMODEM... (press 'a' to abort)\r\n";

export function rbAvailable(): boolean {
  return ["/usr/bin/rb", "/bin/rb", "/usr/local/bin/rb"].some((p) => existsSync(p));
}

/** The REPL on `port`; `done` settles when the port closes. */
export class KalumaRepl {
  readonly lines: string[] = [];
  /** What rb printed on stderr in the last transfer. */
  rbLog = "";
  private line = "";
  private busy: Promise<void> = Promise.resolve();
  private rb: ChildProcess | null = null;
  private toRb: ((b: Uint8Array) => void) | null = null;
  private given = 0;
  /** `.flash -w` commands so far. */
  transfers = 0;
  private closed = false;

  constructor(
    private readonly port: BytePort,
    private readonly o: KalumaReplOptions
  ) {
    port.onData((b) => this.data(b));
    if (port.onClose) port.onClose(() => this.stop());
  }

  get program(): string {
    return join(this.o.dir, "program.js");
  }

  private print(text: string): void {
    if (!this.closed) this.port.write(Buffer.from(text, "latin1"));
  }

  private stop(): void {
    this.closed = true;
    if (this.rb && this.rb.exitCode === null) this.rb.kill("SIGKILL");
  }

  private data(bytes: Uint8Array): void {
    if (this.toRb) return this.toRb(bytes);
    for (const b of bytes) {
      const ch = String.fromCharCode(b);
      if (ch === "\r") {
        const line = this.line;
        this.line = "";
        this.print("\r\n");
        this.busy = this.busy.then(() => this.run(line)).then(() => this.print(PROMPT));
      } else if (b >= 0x20 && b < 0x7f) {
        this.line += ch;
        this.print(ch);
      } else if (b !== 0x0a) this.line += ch; // control bytes stay in the line, as in repl.c's buffer
    }
  }

  private async run(line: string): Promise<void> {
    this.lines.push(line);
    if (line.startsWith(".")) return this.command(line.split(" "));
    if (!line) return;
    try {
      const v = runInNewContext(
        line,
        {
          board: { name: this.o.boardName || "pico", LED: 25 },
          process: { version: this.o.version || "1.1.0", platform: "rp2", arch: "arm" }
        },
        { timeout: 200 }
      );
      this.print(typeof v === "string" ? `\x1b[93m'${v}'\x1b[0m\r\n` : `\x1b[95m${String(v)}\x1b[0m\r\n`);
    } catch (e) {
      this.print(`\x1b[31m${(e as Error).name}: ${(e as Error).message}\x1b[0m\r\n`);
    }
  }

  private async command([name, arg]: string[]): Promise<void> {
    if (name === ".flash" && arg === "-w") return this.receive();
    if (name === ".flash" && arg === "-s") return this.print(`${existsSync(this.program) ? readFileSync(this.program).length : 0}\r\n`);
    if (name === ".load") {
      if (!this.o.onLoad || !existsSync(this.program)) return;
      const r = await this.o.onLoad(this.program);
      if (r && r.error) this.print(`\x1b[31m${r.error}\x1b[0m\r\n`);
      return;
    }
    this.print(`\x1b[31mUnknown command: ${name}\x1b[0m\r\n`);
  }

  /** `.flash -w`: the banner, then every byte goes to rb and back until it exits. */
  private receive(): Promise<void> {
    this.print(BANNER);
    const cancelAt = this.transfers++ === 0 ? this.o.cancelAfterBytes : undefined;
    const dir = mkdtempSync(join(this.o.dir, "rb-"));
    const rb = spawn("rb", ["--ymodem", ...(this.o.rbArgs || [])], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    this.rb = rb;
    this.rbLog = "";
    this.given = 0;
    rb.stdin!.on("error", () => {}); // rb gone: its exit says how
    rb.stderr!.on("data", (d: Buffer) => (this.rbLog += d.toString()));
    const toPort = paced((b) => this.print(Buffer.from(b).toString("latin1")), this.o.bytesPerSecond);
    rb.stdout!.on("data", (d: Buffer) => toPort(new Uint8Array(d)));
    const intoRb = paced((b) => {
      if (rb.exitCode === null) rb.stdin!.write(Buffer.from(b));
    }, this.o.bytesPerSecond);
    this.toRb = (b) => {
      this.given += b.length;
      if (this.o.closeAfterBytes !== undefined && this.given >= this.o.closeAfterBytes) {
        intoRb(b.subarray(0, b.length - (this.given - this.o.closeAfterBytes)));
        this.stop();
        if (this.port.close) this.port.close();
        return;
      }
      intoRb(b);
      if (cancelAt !== undefined && this.given >= cancelAt && rb.exitCode === null) rb.kill("SIGINT");
    };
    return new Promise((resolve) => {
      rb.on("exit", (code) => {
        this.toRb = null;
        this.rb = null;
        const files = readdirSync(dir);
        if (code === 0 && files.length === 1) copyFileSync(join(dir, files[0]), this.program);
        rmSync(dir, { recursive: true, force: true });
        setTimeout(() => {
          this.print(code === 0 ? "\r\nDone\r\n" : "\r\nFailed to receive\r\n"); // after km_delay(500), as repl.c
          resolve();
        }, 500);
      });
    });
  }
}

/** `deliver` at most `bytesPerSecond` (a serial line's pace), in order; unpaced without a rate. */
function paced(deliver: (b: Uint8Array) => void, bytesPerSecond?: number): (b: Uint8Array) => void {
  if (!bytesPerSecond) return deliver;
  const queue: Uint8Array[] = [];
  let since = 0;
  let sent = 0;
  let timer: NodeJS.Timeout | null = null;
  const pump = () => {
    timer = null;
    const now = Date.now();
    let allowed = Math.floor(((now - since) * bytesPerSecond) / 1000) - sent;
    while (queue.length > 0 && allowed > 0) {
      const head = queue[0];
      const n = Math.min(head.length, allowed);
      deliver(head.subarray(0, n));
      sent += n;
      allowed -= n;
      if (n === head.length) queue.shift();
      else queue[0] = head.subarray(n);
    }
    if (queue.length > 0) timer = setTimeout(pump, 5);
  };
  return (b) => {
    if (queue.length === 0 && !timer) {
      since = Date.now(); // the line was idle: the clock starts again
      sent = 0;
      queue.push(b.slice());
      timer = setTimeout(pump, Math.ceil((b.length * 1000) / bytesPerSecond));
      return;
    }
    queue.push(b.slice());
  };
}
