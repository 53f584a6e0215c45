// Talking to Kaluma's REPL (kaluma-project/kaluma src/repl.c) as a flasher does. The REPL echoes what
// it gets and redraws its prompt with escape sequences ("\x1b[2C" has a "C" in it), so answers are
// found by markers that the echo of the question cannot contain, and the YMODEM receiver is only
// listened to after the line `.flash -w` prints ("Transfer a file via YMODEM... (press 'a' to abort)").

export class KalumaReplError extends Error {
  constructor(
    message: string,
    /** The last of what the board printed, for the user to read. */
    readonly output: string
  ) {
    super(message);
    this.name = "KalumaReplError";
  }
}

/** Where the REPL hands the line over to YMODEM. */
export const YMODEM_BANNER = /Transfer a file via YMODEM[^\n]*\n/;

const ESC = String.fromCharCode(27);
/** The escape sequences Kaluma prints (colours, cursor save/restore and moves, the width query). */
const ESCAPES = new RegExp(ESC + "(\\[[0-9;?]*[A-Za-z]|[78])", "g");
/** Text Kaluma prints in red: errors (km_repl_set_output(KM_REPL_OUTPUT_ERROR), jerryxx_print_error). */
const RED = new RegExp(ESC + "\\[31m([^" + ESC + "]+)");

export class KalumaConsole {
  private text = "";
  private dropped = 0; // characters cut from the front of `text`
  private waiters: (() => void)[] = [];
  /** While set, bytes go here instead of the text (a YMODEM transfer); it returns how many it used. */
  private raw: ((bytes: Uint8Array) => number) | null = null;

  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  /** Position in everything printed so far, to look for an answer after it. */
  get mark(): number {
    return this.dropped + this.text.length;
  }

  /** The last 2000 characters printed, escape sequences removed. */
  get tail(): string {
    return this.text.slice(-2000).replace(ESCAPES, "");
  }

  /** The first text printed in red after `from` (an error), or null. */
  errorSince(from: number): string | null {
    var m = RED.exec(this.text.slice(Math.max(0, from - this.dropped)));
    return m ? m[1].trim() : null;
  }

  feed(bytes: Uint8Array): void {
    if (this.raw) {
      var used = this.raw(bytes);
      if (used >= bytes.length) return;
      this.raw = null;
      bytes = bytes.subarray(used);
    }
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    this.text += s;
    if (this.text.length > 65536) {
      this.dropped += this.text.length - 32768;
      this.text = this.text.slice(-32768);
    }
    for (var w of this.waiters.splice(0)) w();
  }

  send(line: string): void {
    var bytes = new Uint8Array(line.length);
    for (var i = 0; i < line.length; i++) bytes[i] = line.charCodeAt(i) & 0xff;
    this.write(bytes);
  }

  /** Hands the bytes after `from` (and all that come) to `sink` until it uses less than it is given. */
  divert(from: number, sink: (bytes: Uint8Array) => number): void {
    var rest = this.text.slice(Math.max(0, from - this.dropped));
    this.text = this.text.slice(0, Math.max(0, from - this.dropped));
    this.raw = sink;
    if (rest.length > 0) {
      var bytes = new Uint8Array(rest.length);
      for (var i = 0; i < rest.length; i++) bytes[i] = rest.charCodeAt(i);
      this.feed(bytes);
    }
  }

  /** Resolves with the first match of `re` in what was printed after `from`, or rejects after `timeoutMs`. */
  waitFor(re: RegExp, from: number, timeoutMs: number, what: string): Promise<{ match: RegExpExecArray; end: number }> {
    return new Promise((resolve, reject) => {
      var timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new KalumaReplError(`${what}: no answer within ${timeoutMs} ms`, this.tail));
      }, timeoutMs);
      var check = () => {
        var at = Math.max(0, from - this.dropped);
        var m = re.exec(this.text.slice(at));
        if (m) {
          clearTimeout(timer);
          resolve({ match: m, end: this.dropped + at + m.index + m[0].length });
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /**
   * Evaluates `expr` (a string-valued JS expression) on the board and resolves with its value. The
   * line sent is `"<<"+(expr)+">>"`: the REPL prints the string as '<<value>>', which its echo of the
   * line (`"<<"+(`) cannot match.
   */
  async evaluate(expr: string, timeoutMs: number): Promise<string> {
    var from = this.mark;
    this.send(`"<<"+(${expr})+">>"\r`);
    var r = await this.waitFor(/<<([^"\r\n]*)>>/, from, timeoutMs, `the board did not evaluate ${expr}`);
    return r.match[1];
  }
}
