// Starts transports/testing/slcan-bus.py: a CAN bus of slcan adapters on pseudo-terminals, made of
// Debian's python3-can, for the slcan adapter and `cell bridge --can slcan:...` tests.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Debian's python (python3-can is installed for it, not for a pyenv or venv python earlier in PATH). */
export const DEBIAN_PYTHON = "/usr/bin/python3";

export interface SlcanBus {
  /** The pty path each node opens, e.g. for `--can slcan:<path>:500000`. */
  ports: string[];
  /** What the bus printed: frames ({from, id, extended, data}) and setup commands ({node, command}). */
  events: { from?: number; id?: number; extended?: boolean; data?: string; node?: number; command?: string }[];
  /** Makes node i's adapter answer with a bell (an slcan error). */
  bell(node: number): void;
  stop(): Promise<void>;
}

export async function startSlcanBus(nodes: number, bitrate = 500000): Promise<SlcanBus> {
  const probe = spawnSync(DEBIAN_PYTHON, ["-c", "import can, serial"], { encoding: "utf8" });
  if (probe.status !== 0)
    throw new Error(
      `python3-can is missing: apt-get install -y python3-can (${(probe.stderr || String(probe.error)).trim().split("\n").pop()})`
    );
  const script = fileURLToPath(new URL("./slcan-bus.py", import.meta.url));
  const child = spawn(DEBIAN_PYTHON, ["-u", script, String(nodes), String(bitrate)], { stdio: ["pipe", "pipe", "pipe"] });
  const events: SlcanBus["events"] = [];
  let err = "";
  let rest = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ports = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("slcan bus did not start within 20 s: " + err)), 20000);
    child.stderr!.on("data", (b) => (err += b));
    child.once("exit", () => (clearTimeout(timer), reject(new Error("slcan bus exited: " + err))));
    child.stdout!.on("data", (b) => {
      rest += b;
      let nl: number;
      while ((nl = rest.indexOf("\n")) >= 0) {
        const line = JSON.parse(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
        if (line.ports) {
          clearTimeout(timer);
          resolve(line.ports);
        } else events.push(line);
      }
    });
  });
  return {
    ports,
    events,
    bell: (node) => void child.stdin!.write(`bell ${node}\n`),
    stop: async () => {
      child.stdin!.end();
      const t = setTimeout(() => child.exitCode === null && process.kill(child.pid!, "SIGKILL"), 2000);
      await exited;
      clearTimeout(t);
    }
  };
}
