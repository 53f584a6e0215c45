// The one argument parser of the `cell` command. Each command declares its arguments and options once
// (name, value placeholder, help, default, validator); parsing, the usage line and --help all come
// from that declaration, so adding a flag is one entry in a table.
import { parseArgs } from "node:util";
import { CliError, ExitCode } from "./exit-codes";

/** A bad command line: main prints it with the command's usage line, exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
    this.name = "UsageError";
  }
}

/** One option. `T` is what the command reads: the validator's result, undefined when absent without default. */
export interface Opt<T> {
  readonly type: "string" | "boolean";
  /** Placeholder of the value in usage and help ("ms", "host:port"); none for a flag. */
  readonly value?: string;
  readonly help: string;
  /** Text given when the option is absent; it goes through `parse` like a given value. */
  readonly default?: string;
  readonly required?: boolean;
  readonly multiple?: boolean;
  /** `--icount` alone means `otherwise`; the next argument is its value only when it matches `when`. */
  readonly optionalValue?: { when: RegExp; otherwise: string };
  /** Turns the text into the value; throws Error("takes ..., got ...") for a bad one. */
  readonly parse: (text: string) => unknown;
  readonly _t?: T;
}
export type Options = Record<string, Opt<unknown>>;
export type Values<O extends Options> = { [K in keyof O]: O[K] extends Opt<infer T> ? T : never };

/** A positional argument, for the usage line and the count check; `rest` takes all that are left. */
export interface Arg {
  readonly name: string;
  readonly required?: boolean;
  readonly rest?: boolean;
  readonly help?: string;
}

interface TextInit {
  value: string;
  help: string;
  optionalValue?: { when: RegExp; otherwise: string };
}
interface OptionInit<T> extends TextInit {
  parse: (text: string) => T;
}

/** An option with a value: `--name value` or `--name=value`; without `parse` the value is the text. */
export function option<T>(o: OptionInit<T> & { default: string }): Opt<T>;
export function option<T>(o: OptionInit<T> & { required: true }): Opt<T>;
export function option<T>(o: OptionInit<T>): Opt<T | undefined>;
export function option(o: TextInit & { default: string }): Opt<string>;
export function option(o: TextInit & { required: true }): Opt<string>;
export function option(o: TextInit): Opt<string | undefined>;
export function option(o: TextInit & { parse?: (text: string) => unknown; default?: string; required?: boolean }): Opt<unknown> {
  return { type: "string", parse: (s: string) => s, ...o };
}

/** An option given any number of times; each value is validated. */
export function repeated<T>(o: OptionInit<T> & { required?: boolean }): Opt<T[]>;
export function repeated(o: TextInit & { required?: boolean }): Opt<string[]>;
export function repeated(o: TextInit & { parse?: (text: string) => unknown; required?: boolean }): Opt<unknown[]> {
  return { type: "string", multiple: true, parse: (s: string) => s, ...o };
}

/** A flag without a value: true when given. */
export function flag(help: string): Opt<boolean> {
  return { type: "boolean", help, parse: () => true };
}

// Validators: each returns the parsed value or throws an Error whose message follows the option name.

const got = (text: string) => `got ${JSON.stringify(text)}`;

/** A whole number in min..max (bounds in the message, so the user sees the range). */
export function wholeNumber(min: number, max: number, unit = ""): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max)
      throw new Error(`takes a whole number ${min}..${max}${unit ? " " + unit : ""}, ${got(text)}`);
    return n;
  };
}

/** A duration in milliseconds, 1 ms .. 1 hour. */
export const ms = wholeNumber(1, 3600000, "(ms)");

/** One word of a fixed list. */
export function oneOf<V extends string>(choices: readonly V[]): (text: string) => V {
  return (text) => {
    if (!(choices as readonly string[]).includes(text))
      throw new Error(
        `takes ${choices.slice(0, -1).join(", ")}${choices.length > 1 ? " or " : ""}${choices[choices.length - 1]}, ${got(text)}`
      );
    return text as V;
  };
}

/** host:port, or [v6]:port. */
export function hostPort(text: string): string {
  if (!/^(?:\[[^\]]+\]|[^:[\]\s]+):\d{1,5}$/.test(text) || Number(text.slice(text.lastIndexOf(":") + 1)) > 65535)
    throw new Error(`takes host:port (IPv6 as [addr]:port), ${got(text)}`);
  return text;
}

/** A non-empty text (a path, a name). */
export function nonEmpty(text: string): string {
  if (text.trim() === "") throw new Error("takes a non-empty value, got nothing");
  return text;
}

export interface CommandSpec<O extends Options> {
  /** As typed after `cell`: "call", "wire decode". */
  name: string;
  /** One line: the table of `cell --help` and the first line of this command's help. */
  summary: string;
  args?: Arg[];
  options: O;
  /** Paragraphs after the summary in --help. */
  about?: string;
  /** Lines after the options in --help (examples, exit codes). */
  footer?: string;
  run(values: Values<O>, args: string[]): Promise<number>;
}

/** What main runs: built from a CommandSpec (or a group of them). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** One line: "cell call <cell.method> [<request>] [options]". */
  readonly usage: string;
  /** The declaration, for tests that try every option. */
  readonly options: Options;
  readonly args: Arg[];
  /** A group's subcommands (`cell wire decode`). */
  readonly subcommands?: Command[];
  help(): string;
  /** Returns the exit code; throws CliError (its `command` and, for a UsageError, `usage` set) for a one-line failure. */
  run(args: string[]): Promise<number>;
}

function flagText(name: string, o: Opt<unknown>): string {
  if (o.type === "boolean") return `--${name}`;
  return o.optionalValue ? `--${name} [${o.value}]` : `--${name} ${o.value}`;
}

function usageLine(name: string, args: Arg[], options: Options): string {
  const parts = [`cell ${name}`];
  for (const [n, o] of Object.entries(options)) if (o.required) parts.push(flagText(n, o));
  for (const a of args) parts.push(a.required ? `<${a.name}>${a.rest ? "..." : ""}` : `[<${a.name}>${a.rest ? "..." : ""}]`);
  if (Object.values(options).some((o) => !o.required)) parts.push("[options]");
  return parts.join(" ");
}

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
}

function helpText<O extends Options>(spec: CommandSpec<O>, usage: string): string {
  const out = [`usage: ${usage}`, "", spec.summary.charAt(0).toUpperCase() + spec.summary.slice(1) + "."];
  if (spec.about) out.push(spec.about);
  const args = (spec.args ?? []).filter((a) => a.help);
  if (args.length) out.push("", "arguments:", ...table(args.map((a) => [`<${a.name}>`, a.help!])));
  const rows: [string, string][] = Object.entries(spec.options).map(([n, o]) => [
    flagText(n, o) + (o.multiple ? " (repeatable)" : ""),
    o.help + (o.default !== undefined ? ` (default ${o.default})` : "")
  ]);
  rows.push(["-h, --help", "this text"]);
  out.push("", "options:", ...table(rows));
  if (spec.footer) out.push("", spec.footer);
  return out.join("\n");
}

/** Where the arguments end for --help: before a `--`. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** Parses `args` against the declaration; every problem is a UsageError naming the option. */
export function parse<O extends Options>(
  spec: Pick<CommandSpec<O>, "options" | "args">,
  argv: string[]
): { values: Values<O>; args: string[] } {
  const options = spec.options;
  // An optional value (`--icount` alone) is made explicit, so parseArgs sees an ordinary string option.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      args.push(...argv.slice(i));
      break;
    }
    const o = a.startsWith("--") && !a.includes("=") ? options[a.slice(2)] : undefined;
    if (o && o.optionalValue && !(i + 1 < argv.length && o.optionalValue.when.test(argv[i + 1])))
      args.push(`${a}=${o.optionalValue.otherwise}`);
    else args.push(a);
  }
  const config: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {};
  for (const [n, o] of Object.entries(options)) config[n] = o.multiple ? { type: o.type, multiple: true } : { type: o.type };
  let tokens;
  try {
    tokens = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true }).tokens;
  } catch (e) {
    throw new UsageError((e as Error).message); // ERR_PARSE_ARGS_*: not expected with strict: false
  }
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") positionals.push(t.value);
    if (t.kind !== "option") continue;
    const o = Object.prototype.hasOwnProperty.call(options, t.name) ? options[t.name] : undefined;
    if (!o || t.rawName !== `--${t.name}`) throw new UsageError(`unknown option ${t.rawName}`);
    if (o.type === "boolean") {
      if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value, got ${JSON.stringify(t.value)}`);
      values[t.name] = true;
      continue;
    }
    if (t.value === undefined) throw new UsageError(`${t.rawName} needs a value (${o.value})`);
    let v: unknown;
    try {
      v = o.parse(t.value);
    } catch (e) {
      throw new UsageError(`${t.rawName} ${(e as Error).message}`);
    }
    if (o.multiple) ((values[t.name] as unknown[] | undefined) ?? (values[t.name] = [])).push(v);
    else if (t.name in values) throw new UsageError(`${t.rawName} given twice`);
    else values[t.name] = v;
  }
  for (const [n, o] of Object.entries(options)) {
    if (n in values) continue;
    if (o.required) throw new UsageError(`missing ${flagText(n, o)}`);
    values[n] = o.type === "boolean" ? false : o.multiple ? [] : o.default !== undefined ? o.parse(o.default) : undefined;
  }
  const declared = spec.args ?? [];
  const missing = declared.find((a, i) => a.required && positionals.length <= i);
  if (missing) throw new UsageError(`missing <${missing.name}>`);
  if (!declared.some((a) => a.rest) && positionals.length > declared.length) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[declared.length])}${declared.length ? "" : " (this command takes options only)"}`
    );
  }
  return { values: values as Values<O>, args: positionals };
}

/** Stamps the command's name (and, for a usage error, its usage line) on a one-line failure. */
function stamp(e: unknown, name: string, usage: string): unknown {
  if (e instanceof CliError) {
    e.command ??= `cell ${name}`;
    if (e instanceof UsageError) e.usage ??= usage;
  }
  return e;
}

export function defineCommand<O extends Options>(spec: CommandSpec<O>): Command {
  const usage = usageLine(spec.name, spec.args ?? [], spec.options);
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    options: spec.options,
    args: spec.args ?? [],
    help: () => helpText(spec, usage),
    async run(argv) {
      if (asksForHelp(argv)) {
        console.log(helpText(spec, usage));
        return ExitCode.Ok;
      }
      try {
        const { values, args } = parse(spec, argv);
        return await spec.run(values, args);
      } catch (e) {
        throw stamp(e, spec.name, usage);
      }
    }
  };
}

/** A command made of subcommands (`cell wire decode`, `cell wire encode`). */
export function defineGroup(name: string, summary: string, subs: Command[]): Command {
  const usage = `cell ${name} <${subs.map((s) => s.name.slice(name.length + 1)).join("|")}> ...`;
  const help = () =>
    [
      `usage: ${usage}`,
      "",
      summary.charAt(0).toUpperCase() + summary.slice(1) + ".",
      "",
      "commands:",
      ...table(subs.map((s) => [s.name.slice(name.length + 1), s.summary])),
      "",
      ...subs
        .map((s) => s.help())
        .join("\n\n")
        .split("\n")
    ].join("\n");
  return {
    name,
    summary,
    usage,
    options: {},
    args: [],
    subcommands: subs,
    help,
    async run(argv) {
      const [word, ...rest] = argv;
      const sub = subs.find((s) => s.name === `${name} ${word}`);
      if (sub) return sub.run(rest);
      if (word === "--help" || word === "-h") {
        console.log(help());
        return ExitCode.Ok;
      }
      const what = word === undefined ? "nothing" : JSON.stringify(word);
      throw stamp(new UsageError(`expected ${subs.map((s) => s.name.slice(name.length + 1)).join(" or ")}, got ${what}`), name, usage);
    }
  };
}
