/** Named exit codes of the `cell` command, so scripts can tell failures apart. */
export const ExitCode = {
  Ok: 0,
  Failed: 1, // the command ran and the thing it did failed (a call answered with an ERROR, a test failed)
  Usage: 2, // bad command line
  BadInput: 3, // input bytes or files that are missing or do not parse (a malformed frame, a bad bundle)
  Unavailable: 4, // a system package, port, board or service is missing
  TimedOut: 5
} as const;

/** An error that ends the command with a one-line message and a named exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  /** "cell call": set by the command that failed, printed before the message. */
  command?: string;
  /** The command's usage line, printed after a usage error's message. */
  usage?: string;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
