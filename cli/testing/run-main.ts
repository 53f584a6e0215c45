// Runs `cell ...` in-process (main(), not a process): its exit code and what it printed, for fast tests.
import { vi } from "vitest";
import { main } from "../main";

export async function runCell(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((s) => void out.push(String(s)));
  const error = vi.spyOn(console, "error").mockImplementation((s) => void err.push(String(s)));
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Runs `cell` in-process with `dir` as the current folder (Cell.lock, cells/ are read from there). */
export async function cellIn(dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const home = process.cwd();
  process.chdir(dir);
  try {
    return await runCell(...argv);
  } finally {
    process.chdir(home);
  }
}
