// A stand-in Espruino console for unit tests of the REPL upload: runs each \x10 line against a Storage
// that behaves as Espruino's does on flash (src/jsflash.c, jsfWriteFile/jsfCreateFile): a write at
// offset 0 makes the file again unless it is empty and the same size, other bytes where some were
// written are refused, files take their aligned size plus a 32-byte header, erased files are trash until
// a file that does not fit compacts them, and a file that still does not fit is refused (after the old
// file of that name was erased, as Espruino does). `damage` picks lines to cut bytes out of, as stock
// 2v29's console does, or to garble while the answer is lost.
import { crc32, EspruinoRepl } from "../transports/espruino/repl";
import { storageCost } from "../transports/espruino/staged-upload";

export type Damage = (line: string, n: number) => boolean | "garble-and-mute";

export interface StorageBoard {
  repl: EspruinoRepl;
  files: Record<string, number[]>;
  /** Lines the board ran (after any damage), in order. */
  lines: string[];
  /** Bytes of Storage free at the end plus trash, as getStats() would add them. */
  spare(): number;
  /** Stops answering after the line `n` (0-based) is sent: the stream is lost then. */
  loseAfterLine(n: number): void;
}

export function storageBoard(o: { damage?: Damage; capacity?: number; files?: Record<string, Uint8Array> } = {}): StorageBoard {
  const capacity = o.capacity || 65536;
  const files: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(o.files || {})) files[k] = Array.from(v);
  let trash = 0;
  const used = () => Object.values(files).reduce((a, f) => a + storageCost(f.length), 0);
  const erase = (name: string) => {
    if (!files[name]) return false;
    trash += storageCost(files[name].length);
    delete files[name];
    return true;
  };
  const Storage = {
    write(name: string, data: string, offset = 0, total = data.length) {
      if (typeof data !== "string") throw new Error("Can't get pointer to data to write");
      const f = files[name];
      if (offset === 0 && (!f || f.length !== total || f.some((b) => b !== 255))) {
        if (f && f.length === total && data.length === total && f.every((b, i) => b === data.charCodeAt(i))) return true;
        erase(name);
        if (capacity - used() - trash < storageCost(total)) {
          if (capacity - used() < storageCost(total)) throw new Error("Unable to find or create file");
          trash = 0; // compacted
        }
        files[name] = new Array(total).fill(255);
      }
      const file = files[name];
      if (!file) throw new Error("Unable to find or create file");
      if (offset + data.length > file.length) throw new Error("Too much data for file size");
      for (let i = 0; i < data.length; i++) if (file[offset + i] !== 255) throw new Error("File already written with different data");
      for (let i = 0; i < data.length; i++) file[offset + i] = data.charCodeAt(i);
      return true;
    },
    read(name: string, offset = 0, length = 0) {
      const f = files[name];
      if (!f) return undefined;
      return String.fromCharCode(...f.slice(offset, length > 0 ? offset + length : undefined));
    },
    erase,
    compact() {
      trash = 0;
    },
    getStats: () => ({ totalBytes: capacity, freeBytes: capacity - used() - trash, fileBytes: used(), trashBytes: trash })
  };
  const E = { CRC32: (s: string) => crc32(Uint8Array.from(s, (c) => c.charCodeAt(0))), toFlatString: (s: string) => s };
  const lines: string[] = [];
  let pending = "";
  let n = 0;
  let loseAt = -1;
  const repl: EspruinoRepl = new EspruinoRepl(
    {
      write(bytes) {
        pending += Buffer.from(bytes).toString("latin1");
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          // Ctrl-C clears nothing here: no line is left pending.
          let line = pending.slice(0, nl).split(String.fromCharCode(3)).join("").split(String.fromCharCode(16)).join("");
          pending = pending.slice(nl + 1);
          const at = n++;
          if (loseAt >= 0 && at >= loseAt) {
            if (at === loseAt) setImmediate(() => repl.lost("the port closed"));
            continue;
          }
          const hit = o.damage ? o.damage(line, at) : false;
          // "garble-and-mute": other bytes reach the file's string and the answer is lost on the way back.
          if (hit === "garble-and-mute") line = line.replace(/,"(.)/, ',"\\x00');
          else if (hit) line = line.slice(0, 40) + line.slice(72); // 32 bytes lost mid-line
          lines.push(line);
          let out = "";
          try {
            new Function("require", "E", "print", "echo", line)(
              () => Storage,
              E,
              (s: string) => (out += s + "\r\n"),
              () => 0
            );
          } catch (e) {
            out = `Uncaught ${(e as Error).name}: ${(e as Error).message}\r\n`;
          }
          if (hit !== "garble-and-mute") setImmediate(() => repl.feed(Buffer.from(out, "latin1")));
        }
      }
    },
    { ctrlCGapMs: 0, ctrlCSettleMs: 10 }
  );
  return {
    repl,
    files,
    lines,
    spare: () => capacity - used(),
    loseAfterLine(k) {
      loseAt = k;
    }
  };
}
