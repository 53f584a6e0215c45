// Files named on the command line: checked before use, so a missing or unreadable one is one clear line.
import { accessSync, constants, statSync } from "node:fs";
import { CliError, ExitCode } from "./exit-codes";

/** Throws BadInput naming `path` unless it is a readable file (or, with `folder`, a readable folder). */
export function checkReadable(path: string, what: string, o: { folder?: boolean } = {}): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
    accessSync(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "not readable (permission denied)" : (e as Error).message;
    throw new CliError(`${what} ${path}: ${why}`, ExitCode.BadInput, { cause: e });
  }
  if (isDir && !o.folder) throw new CliError(`${what} ${path}: is a folder, not a file`, ExitCode.BadInput);
}
