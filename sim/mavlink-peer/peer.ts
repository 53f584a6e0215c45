// The MAVLink C test peer (peer.c) built against the official C library from the vendor folder, and a
// handle on a running one. The library is extracted into sim/build/ (git-ignored), never committed.
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { vendored } from "../../engines/vendor";

const here = fileURLToPath(new URL(".", import.meta.url));
const buildDir = resolve(here, "../build/mavlink-peer");

/** Builds the peer when missing or older than its source; returns the program's path. */
export function buildMavlinkPeer(): string {
  const lib = resolve(buildDir, "mavlink-c_library_v2");
  const out = resolve(buildDir, "peer");
  const src = resolve(here, "peer.c");
  mkdirSync(buildDir, { recursive: true });
  if (!existsSync(resolve(lib, "common/mavlink.h"))) execFileSync("tar", ["xzf", vendored("mavlink"), "-C", buildDir]);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    try {
      execFileSync("gcc", ["-O1", "-Wall", "-Wno-address-of-packed-member", "-I", lib, src, "-o", out, "-lutil"], { stdio: "pipe" });
    } catch (e) {
      const err = e as { code?: string; stderr?: Buffer };
      if (err.code === "ENOENT") throw new Error("the MAVLink test peer needs gcc: apt-get install -y gcc");
      throw new Error("building the MAVLink test peer failed:\n" + String(err.stderr || e));
    }
  }
  return out;
}

export interface RxLine {
  msgid: number;
  sys: number;
  comp: number;
  signed: boolean;
  /** 1, or minus the C library's signing status (-5 old timestamp, -6 replay). */
  sigok: number;
  hex: string;
}

export interface MavlinkPeer {
  /** What READY said: the UDP port, or the pty's path. */
  readonly ready: string;
  readonly rx: RxLine[];
  readonly tx: string[];
  readonly tunnels: { ts: number; tc: number; ptype: number; hex: string }[];
  readonly bad: string[];
  /** Sends a command line and waits for its DONE. */
  command(line: string): Promise<void>;
  until(what: string, cond: () => boolean, ms?: number): Promise<void>;
  close(): void;
}

export async function startMavlinkPeer(args: string[]): Promise<MavlinkPeer> {
  const child: ChildProcess = spawn(buildMavlinkPeer(), args, { stdio: ["pipe", "pipe", "inherit"] });
  const rx: RxLine[] = [];
  const tx: string[] = [];
  const tunnels: MavlinkPeer["tunnels"] = [];
  const bad: string[] = [];
  const done: string[] = [];
  let ready = "";
  let rest = "";
  let exited = false;
  child.on("exit", () => (exited = true));
  child.stdout!.on("data", (d: Buffer) => {
    const lines = (rest + d.toString()).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      const w = line.split(" ");
      if (w[0] === "READY") ready = w[1];
      else if (w[0] === "TX") tx.push(w[1]);
      else if (w[0] === "RX") rx.push({ msgid: +w[1], sys: +w[2], comp: +w[3], signed: w[4] === "1", sigok: +w[5], hex: w[6] });
      else if (w[0] === "TUNNEL") tunnels.push({ ts: +w[1], tc: +w[2], ptype: +w[3], hex: w[4] || "" });
      else if (w[0] === "BAD") bad.push(w[1]);
      else if (w[0] === "DONE") done.push(w.slice(1).join(" "));
    }
  });
  const until = async (what: string, cond: () => boolean, ms = 10000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (exited) throw new Error(`the MAVLink peer exited while waiting for ${what}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until("the peer to start", () => ready !== "");
  return {
    get ready() {
      return ready;
    },
    rx,
    tx,
    tunnels,
    bad,
    async command(line: string) {
      const n = done.filter((d) => d === line).length;
      child.stdin!.write(line + "\n");
      await until(line, () => done.filter((d) => d === line).length > n, 30000);
    },
    until,
    close() {
      if (!exited) child.kill();
    }
  };
}
