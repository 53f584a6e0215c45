// Starts Debian's nats-server on a free loopback port for tests, and stops it by its PID.
import { spawn, ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** nats-server from PATH or /usr/sbin; a clear error with the install line when it is missing. */
export function findNatsServer(): string {
  const dirs = (process.env.PATH || "").split(delimiter).concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin"]);
  for (const dir of dirs) {
    const candidate = join(dir, "nats-server");
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error("nats-server is not installed; the NATS tests need it: apt-get install -y nats-server");
}

/** Starts nats-server on 127.0.0.1 with a port it picks itself (-p -1), read back from its log. */
export function startNatsServer(timeoutMs = 10000): Promise<NatsServer> {
  const bin = findNatsServer();
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(bin, ["-a", "127.0.0.1", "-p", "-1"], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    let done = false;
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    function fail(err: Error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    }
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.once("error", (err) => fail(new Error(`cannot run ${bin}: ${err.message}`)));
    child.once("exit", (code) => fail(new Error(`nats-server exited (${code}) before listening:\n${log}`)));
    const onLog = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
      if (!m || done) return;
      done = true;
      clearTimeout(timer);
      const port = Number(m[1]);
      resolve({
        url: `nats://127.0.0.1:${port}`,
        port,
        pid: child.pid!,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          process.kill(child.pid!, "SIGTERM");
          const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
          await exited;
          clearTimeout(killer);
        }
      });
    };
    child.stdout!.on("data", onLog);
    child.stderr!.on("data", onLog);
  });
}
