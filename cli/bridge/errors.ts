// A CellError from a call, as a one-line CLI failure with a named exit code.
import { CellError, ErrorCode } from "../../core/errors";
import { CliError, ExitCode } from "../exit-codes";

export function failure(what: string, e: unknown): CliError {
  const err = e as CellError;
  if (!err || err.name !== "CellError") return new CliError(`${what}: ${(e as Error)?.message ?? String(e)}`, ExitCode.Failed);
  // No answer in time has its own exit code, so scripts can retry just those.
  const code = err.code === ErrorCode.TimedOut ? ExitCode.TimedOut : ExitCode.Failed;
  return new CliError(`${what}: ${err.codeName}: ${err.message}`, code);
}
