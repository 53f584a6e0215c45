// QEMU's machine protocol (QMP) on a Unix socket: how the host presses the simulated board's reset
// button (`system_reset`), which resets the whole machine, unlike the loader's soft reset.
import { connect, Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface QmpSocket {
  /** Pass to bootSim({ extraArgs }). */
  args: string[];
  /** Runs one QMP command; resolves with its `return`, rejects with its `error`. */
  execute(command: string, args?: object): Promise<unknown>;
  /** Closes the connection and removes the socket's folder. */
  dispose(): void;
}

/** A private socket path for one QEMU process; connect happens on the first `execute`. */
export function qmpSocket(): QmpSocket {
  var dir = mkdtempSync(join(tmpdir(), "cell-qmp-"));
  var path = join(dir, "qmp.sock");
  var sock: Socket | null = null;
  var ready: Promise<void> | null = null;
  var buffered = "";
  var waiting: ((msg: any) => void)[] = [];

  function onMessage(msg: any): void {
    if (msg.event) return; // RESET, STOP, ...: not answers
    var w = waiting.shift();
    if (w) w(msg);
  }

  function reply(): Promise<any> {
    return new Promise((resolve) => waiting.push(resolve));
  }

  function open(): Promise<void> {
    return new Promise((resolve, reject) => {
      sock = connect(path);
      sock.setEncoding("utf8");
      sock.on("data", (d: string) => {
        buffered += d;
        for (var nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
          var line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) onMessage(JSON.parse(line));
        }
      });
      sock.once("error", reject);
      // The greeting comes first, then capabilities negotiation must end before any command.
      reply()
        .then(() => {
          sock!.write(JSON.stringify({ execute: "qmp_capabilities" }) + "\n");
          return reply();
        })
        .then((r) => (r.error ? reject(new Error("QMP: " + r.error.desc)) : resolve()), reject);
    });
  }

  return {
    args: ["-qmp", "unix:" + path + ",server=on,wait=off"],
    async execute(command, args) {
      if (!ready) ready = open();
      await ready;
      var answer = reply();
      sock!.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + "\n");
      var r = await answer;
      if (r.error) throw new Error(`QMP ${command}: ${r.error.desc}`);
      return r.return;
    },
    dispose() {
      if (sock) sock.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
