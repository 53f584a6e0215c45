// Talking to an Espruino board's REPL as a flasher does: one Ctrl-C (two within 5 s exit a Linux
// build), echo(0), then lines that start with \x10 (not echoed), each answered by a marker the host
// waits for, so the upload paces itself on the board's answers. Files are written with
// require("Storage").write(name, chunk, offset, total) and checked by reading back the length and a
// CRC32 the board computes (E.CRC32). Works over any byte stream: a serial port, a BLE UART, the
// stdin/stdout of a Linux build. Used by `cell sim` for Espruino boards and by `cell flash`.

export interface ReplWire {
  write(bytes: Uint8Array): void;
}

export interface UploadOptions {
  /** File bytes per Storage.write line (default 256: a line of at most ~1 KB after escaping). */
  chunkBytes?: number;
  /** How long one answer may take, in ms (default 10000). */
  timeoutMs?: number;
  /** Tries per chunk and per whole-file upload (default 3). */
  attempts?: number;
  /** Told after each chunk the board took: bytes written so far of the file's total. */
  onProgress?: (done: number, total: number) => void;
}

/** A byte string as a JS string literal: printable ASCII as is, the rest as \xHH. No newline in it. */
export function jsBytesLiteral(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes)
    s += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : "\\x" + (b + 256).toString(16).slice(1);
  return s + '"';
}

/** CRC-32 (IEEE, as E.CRC32 and zlib compute it). */
export function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

export class ReplError extends Error {
  constructor(
    message: string,
    readonly output: string
  ) {
    super(message);
    this.name = "ReplError";
  }
}

/**
 * A chunk found other bytes already written at its offset (an earlier damaged line): the file must be
 * made again, not the chunk written again. A ReplError, so the last one fails a flash like another refusal.
 */
class SpoiledFileError extends ReplError {
  constructor(message: string, output: string) {
    super(message, output);
    this.name = "SpoiledFileError";
  }
}

/** The byte stream to the board went away (port closed, cable pulled): nothing more will answer. */
export class ReplLostError extends Error {
  constructor(
    message: string,
    readonly output: string
  ) {
    super(message);
    this.name = "ReplLostError";
  }
}

export class EspruinoRepl {
  private text = "";
  private seq = 0;
  private waiters: (() => void)[] = [];
  private gone: string | null = null;
  /** Characters trimmed off the front of `text`: offsets given to waitFor count from the first byte ever fed. */
  private dropped = 0;

  constructor(
    private readonly wire: ReplWire,
    private readonly opts: { timeoutMs?: number; ctrlCGapMs?: number; ctrlCSettleMs?: number } = {}
  ) {}

  private lastCtrlC = 0;

  /**
   * One Ctrl-C, then a pause: Espruino clears a pending input line (a line cut mid-way, which would
   * swallow what follows) only when its idle loop sees the Ctrl-C, and a line sent before then may be
   * interrupted instead. Two Ctrl-C within 5 s on an empty line exit a Linux build, so they are spaced.
   */
  async interrupt(): Promise<void> {
    const gap = this.opts.ctrlCGapMs === undefined ? 5500 : this.opts.ctrlCGapMs;
    const wait = this.lastCtrlC + gap - Date.now();
    if (this.lastCtrlC && wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.send("\x03");
    this.lastCtrlC = Date.now();
    await new Promise((r) => setTimeout(r, this.opts.ctrlCSettleMs === undefined ? 1000 : this.opts.ctrlCSettleMs));
  }

  /** Everything the board printed (kept to the last 64 KB). */
  get output(): string {
    return this.text;
  }

  /** Bytes from the board's console. */
  feed(bytes: Uint8Array): void {
    const all = this.text + Buffer.from(bytes).toString("latin1");
    const cut = Math.max(0, all.length - 65536);
    this.dropped += cut;
    this.text = all.slice(cut);
    for (const w of this.waiters.splice(0)) w();
  }

  send(line: string): void {
    this.wire.write(Buffer.from(line, "latin1"));
  }

  /** The stream closed: what waits for an answer fails now with ReplLostError, and so does what comes after. */
  lost(reason: string): void {
    if (this.gone !== null) return;
    this.gone = reason;
    for (const w of this.waiters.splice(0)) w();
  }

  /** How many characters the board has printed so far: an offset for waitFor's `from`. */
  get printed(): number {
    return this.dropped + this.text.length;
  }

  /**
   * Resolves with the match once the console output from offset `from` (see `printed`) matches `re`;
   * rejects after `timeoutMs`, or with ReplLostError once the stream is lost.
   */
  waitFor(re: RegExp, timeoutMs = this.opts.timeoutMs || 10000, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new ReplError(`no ${re} from the board within ${timeoutMs} ms`, this.text.slice(-2000)));
      }, timeoutMs);
      const check = () => {
        const m = re.exec(this.text.slice(Math.max(0, from - this.dropped)));
        if (!m && this.gone !== null) {
          clearTimeout(timer);
          reject(new ReplLostError(this.gone, this.text.slice(-2000)));
        } else if (m) {
          clearTimeout(timer);
          resolve(m);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Interrupts what runs (one Ctrl-C, never two: a Linux build exits on the second) and turns echo off. */
  async attach(): Promise<void> {
    await this.interrupt();
    await this.retried(3, () => this.evaluate("echo(0)||1"));
  }

  /**
   * Runs `code` as one \x10 line and resolves with what `expr` (evaluated after it) printed. An
   * exception on the board rejects with its text. The marker is built so the line itself never holds it.
   */
  async evaluate(expr: string, code = "", timeoutMs?: number): Promise<string> {
    const id = ++this.seq;
    const from = this.dropped + this.text.length;
    this.send(`\x10${code}print("<"+"<${id}:"+(${expr})+":${id}>"+">");\n`);
    // One waiter for the answer or an exception, whichever the board prints first (two would leave a timer behind).
    const m = await this.waitFor(new RegExp(`<<${id}:([\\s\\S]*?):${id}>>|Uncaught ([^\\r\\n]*)`), timeoutMs, Math.max(0, from - 2));
    if (m[1] === undefined) throw new ReplError(`the board threw: ${m[2]}`, this.text.slice(Math.max(0, from - this.dropped)));
    return m[1];
  }

  /**
   * Writes `bytes` to Storage file `name` in chunks and checks length and CRC32 on the board. Stock
   * Espruino 2v26-2v29 may lose input bytes (serial data events longer than ~17 bytes): a chunk whose
   * line arrived damaged (the board threw, or answered something else) is written again, and a file that
   * reads back wrong is uploaded again, up to `attempts` times each (Storage.write at an offset is idempotent).
   */
  async upload(name: string, bytes: Uint8Array, o: UploadOptions = {}): Promise<{ bytes: number; crc: number; lines: number }> {
    const attempts = o.attempts || 3;
    const crc = crc32(bytes);
    let lines = 0;
    for (let round = 1; ; round++) {
      try {
        lines += await this.writeChunks(name, bytes, o, attempts);
      } catch (e) {
        // A damaged line wrote other bytes at an offset: flash is not written twice, so the file is made
        // again from offset 0 (the first write replaces it).
        if (!(e instanceof SpoiledFileError) || round >= attempts) throw e;
        continue;
      }
      const got = await this.retried(attempts, () =>
        this.evaluate(
          `(function(f){return f===undefined?"none":f.length+","+(E.CRC32(f)>>>0)})(require("Storage").read(${JSON.stringify(name)}))`,
          "",
          o.timeoutMs
        )
      );
      if (got === `${bytes.length},${crc}`) return { bytes: bytes.length, crc, lines };
      if (round >= attempts)
        throw new ReplError(`${name} on the board reads back as ${got}, expected ${bytes.length},${crc}`, this.text.slice(-2000));
    }
  }

  private async writeChunks(name: string, bytes: Uint8Array, o: UploadOptions, attempts: number): Promise<number> {
    const chunk = o.chunkBytes || 256;
    const file = JSON.stringify(name);
    let lines = 0;
    for (let at = 0; at < bytes.length || at === 0; at += chunk) {
      const part = jsBytesLiteral(bytes.subarray(at, at + chunk));
      // The first write gives the total size, so Storage makes the whole file at once; later ones fill it.
      await this.retried(attempts, async () => {
        lines++;
        let ok;
        try {
          ok = await this.evaluate(`require("Storage").write(${file},${part},${at},${bytes.length})`, "", o.timeoutMs);
        } catch (e) {
          if (e instanceof ReplError && /already written with different data/.test(e.message))
            throw new SpoiledFileError(e.message, e.output);
          throw e;
        }
        if (ok !== "true") throw new ReplError(`Storage.write(${file}) at ${at} answered ${ok}`, this.text.slice(-2000));
      });
      if (o.onProgress) o.onProgress(Math.min(at + chunk, bytes.length), bytes.length);
      if (!bytes.length) break;
    }
    return lines;
  }

  /** Runs `step` again after a ReplError (a line the board got damaged), up to `attempts` times in all. */
  async retried<T>(attempts: number, step: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await step();
      } catch (e) {
        if (!(e instanceof ReplError) || e instanceof SpoiledFileError || i >= attempts) throw e;
        // A damaged line may leave the REPL collecting more lines (an unclosed string or bracket): clear it.
        await this.interrupt();
      }
    }
  }
}
