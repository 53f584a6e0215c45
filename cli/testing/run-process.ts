// Runs `cell ...` as its own process (the bin, through tsx), as a user or a script does: exit code and output.
import { spawn } from "node:child_process";

const CELL = ["cli/bin/cell.mjs"];

export function runCellProcess(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CELL, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (b) => (out += b));
    child.stderr!.on("data", (b) => (err += b));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}
