/** One CLI command: each lives in its own file under cli/commands/. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code; throws CliError for a one-line failure. */
  run(args: string[]): Promise<number>;
}
