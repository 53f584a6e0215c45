// How `cell flash` shows progress: a bar redrawn in place on a terminal, a line per quarter otherwise,
// nothing with --json (the report is the only output, so scripts can parse it).
export interface Progress {
  /** A step that is not a transfer ("getting a prompt", "verifying"). */
  step(text: string): void;
  /** `done` of `total` bytes of the current transfer. */
  bytes(done: number, total: number): void;
  /** Ends the bar (the transfer finished or failed). */
  end(): void;
}

export type ProgressMode = "bar" | "lines" | "silent";

export function progressMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (json) return "silent";
  return stream.isTTY ? "bar" : "lines";
}

const BAR_WIDTH = 30;

export function createProgress(mode: ProgressMode, write: (text: string) => void = (t) => process.stderr.write(t)): Progress {
  var started = 0;
  var quarter = -1;
  var open = false;
  function end(): void {
    if (open && mode === "bar") write("\n");
    open = false;
    started = 0;
    quarter = -1;
  }
  return {
    step(text) {
      end();
      if (mode !== "silent") write(`${text}\n`);
    },
    bytes(done, total) {
      if (mode === "silent" || total <= 0) return;
      var now = Date.now();
      if (!started) started = now;
      var rate = now > started ? Math.round((done * 1000) / (now - started)) : 0;
      var frac = Math.min(1, done / total);
      if (mode === "bar") {
        var filled = Math.round(frac * BAR_WIDTH);
        write(`\r  [${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${Math.floor(frac * 100)}% ${done}/${total} B ${rate} B/s`);
        open = true;
        if (done >= total) end();
        return;
      }
      var q = Math.floor(frac * 4);
      if (q > quarter) {
        quarter = q;
        write(`  ${done} of ${total} bytes (${Math.floor(frac * 100)}%)${rate ? `, ${rate} B/s` : ""}\n`);
      }
      if (done >= total) end();
    },
    end
  };
}
