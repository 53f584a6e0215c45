// The Duktape engine: the host runner (duk-runner.c) in a child process. Stream bytes go to its stdin,
// the device's bytes come from its stdout; "@@tag {json}" lines on stderr report heap and errors.
import { spawn } from "node:child_process";
import { runnerCommand } from "./build";
import type { Engine, EngineOptions, ExitInfo, HeapFigures } from "./types";

interface Report {
  used: number;
  peak: number;
  limit: number;
  baseline: number;
  uncaught: number;
  message?: string;
  where?: string;
}

export function startDuktape(o: EngineOptions): Promise<Engine> {
  const runner = runnerCommand();
  const args = [...runner.args, "--personality", o.personality, "--clock", o.clock || "real", "--control-fd", "3"];
  if (o.heapLimit) args.push("--heap-limit", String(o.heapLimit));
  if (o.heapBudget) args.push("--heap-budget", String(o.heapBudget));
  if (o.maxFrame) args.push("--max-frame", String(o.maxFrame));
  if (o.chunk) args.push("--chunk", String(o.chunk));
  for (const [k, v] of Object.entries(o.opts || {})) args.push("--opt", `${k}=${v}`);
  args.push(o.bundle);
  const child = spawn(runner.file, args, { stdio: ["pipe", "pipe", "pipe", "pipe"] });
  const control = child.stdio[3] as NodeJS.WritableStream;

  let heap: HeapFigures = { used: 0, peak: 0, baseline: 0, limit: 0 };
  let started: HeapFigures | null = null;
  let uncaught = 0;
  let exitReason = "eof";
  let exitMessage: string | undefined;
  const logs: string[] = [];
  let dataCb: ((b: Uint8Array) => void) | null = null;
  let closeCb: (() => void) | null = null;
  let errorCb: ((e: Error) => void) | null = null;
  let startedCb: (() => void) | null = null;

  const exited = new Promise<ExitInfo>((resolve) => {
    child.on("exit", (code, signal) => {
      resolve({ code, reason: signal ? "killed" : code === 0 ? "eof" : exitReason, message: exitMessage });
      if (closeCb) closeCb();
    });
  });

  let pending = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const m = /^@@([a-z-]+) (\{.*\})$/.exec(line);
      if (!m) {
        logs.push(line);
        continue;
      }
      const r = JSON.parse(m[2]) as Report;
      heap = { used: r.used, peak: r.peak, baseline: r.baseline, limit: r.limit };
      uncaught = r.uncaught;
      if (m[1] === "started") {
        started = heap;
        if (startedCb) startedCb();
      }
      if (m[1] === "uncaught") logs.push(`uncaught in ${r.where}: ${r.message}`);
      if (m[1] === "oom" || m[1] === "error" || m[1] === "fatal" || m[1] === "personality-error") {
        exitReason = m[1] === "personality-error" ? "error" : m[1];
        exitMessage = r.message;
        logs.push(`${m[1]}: ${r.message}`);
      }
    }
  });
  child.stdout.on("data", (b: Buffer) => {
    if (dataCb) dataCb(new Uint8Array(b.buffer, b.byteOffset, b.length));
  });
  child.stdin.on("error", (e) => {
    if (errorCb && child.exitCode === null) errorCb(e);
  });

  const engine: Engine = {
    name: "duktape",
    write(bytes) {
      if (child.exitCode === null && !child.stdin.destroyed) child.stdin.write(Buffer.from(bytes));
    },
    onData(cb) {
      dataCb = cb;
    },
    onClose(cb) {
      closeCb = cb;
    },
    onError(cb) {
      errorCb = cb;
    },
    heap: () => heap,
    get started() {
      return started!;
    },
    logs,
    uncaught: () => uncaught,
    tick(ms) {
      control.write(`tick ${ms}\n`);
    },
    close() {
      child.stdin.end();
      const t = setTimeout(() => child.kill("SIGKILL"), 3000);
      exited.then(() => clearTimeout(t));
    },
    exited
  };

  return new Promise<Engine>((resolve, reject) => {
    startedCb = () => resolve(engine);
    exited.then((info) => {
      if (!started) reject(new Error(`duk-runner stopped before the bundle started (${info.reason}): ${info.message ?? logs.join("\n")}`));
    });
  });
}
