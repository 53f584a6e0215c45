/** One CLI command: each lives in its own file under cli/commands/, declared with defineCommand (cli/args.ts). */
export type { Command } from "./args";
