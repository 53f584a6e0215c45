// Device code the build refuses: TypeScript errors against the ES5 library the engines have, each
// with what to use instead there, and a cell module that would carry the schema DSL onto the device.
import { relative } from "node:path";

/** What an ES5 engine (Espruino, JerryScript, Duktape) offers instead of a newer API; matched on TypeScript's message. */
const INSTEAD: [RegExp, string][] = [
  [/'(Weak)?Map'/, "use a plain object ({ [key: string]: V }) with Object.prototype.hasOwnProperty"],
  [/'(Weak)?Set'/, "use a plain object as a set of keys (or an array and indexOf)"],
  [/'Promise'|async|await|'then'/i, "use ctx.defer() in a handler, or callbacks: ES5 engines have no Promise"],
  [/'TextEncoder'|'TextDecoder'/, "use charCodeAt / String.fromCharCode on bytes (ASCII), or send bytes as t.bytes"],
  [/'(entries|values|fromEntries)'/, "use Object.keys(o) and read o[key]"],
  [/'assign'/, "copy the properties in a for...in loop"],
  [/'includes'/, "use indexOf(x) >= 0"],
  [/'(startsWith|endsWith)'/, "use indexOf / slice and compare"],
  [/'(padStart|padEnd|repeat)'/, "build the string in a loop"],
  [/'(from|of|find|findIndex|fill|flat|flatMap)'/, "use a for loop over the indices"],
  [/'Symbol'|iterat|for\.\.\.of|spread/i, "use an index loop over an array (ES5 has no iterators)"],
  [/'(BigInt|bigint)'|BigInt/, "use numbers (t.u32 / t.f64): ES5 engines have no BigInt"],
  [/imported helper/, "write it without async/await, generators, or spread and for...of over non-arrays"],
  [/'console'/, "console is given by the build; check the call"]
];

/** TypeScript's own sentences about the `lib` option: wrong advice for a device, whose engine has only ES5. */
function withoutLibAdvice(message: string): string {
  return message
    .split(/(?<=[.?])\s+/)
    .filter((s) => !/target library|'lib' compiler option|--lib|include 'ES20|'lib' option/i.test(s))
    .join(" ");
}

/** One line for a TypeScript diagnostic: file:line:column, the message, and what to use instead. */
export function typeProblem(w: { message: string; pluginCode?: unknown; loc?: { file?: string; line: number; column: number }; id?: string }): string {
  const file = w.loc?.file || w.id;
  const where = file ? `${relative(process.cwd(), file)}${w.loc ? `:${w.loc.line}:${w.loc.column}` : ""}` : "(device code)";
  const text = withoutLibAdvice(w.message.replace(/^[^]*?@rollup\/plugin-typescript\s+/, "").replace(/^TS\d+:\s*/, ""));
  const hint = INSTEAD.find(([re]) => re.test(w.message));
  return `${where}: ${text}${hint ? ` -- on an ES5 engine, ${hint[1]}` : ""}${typeof w.pluginCode === "string" ? ` (${w.pluginCode})` : ""}`;
}

/** A build refused for its device code; `problems` are one line each, the message's first line sums them up. */
export class DeviceCodeError extends Error {
  readonly problems: string[];
  constructor(summary: string, problems: string[]) {
    super([summary, ...problems].join("\n"));
    this.name = "DeviceCodeError";
    this.problems = problems;
  }
}

/** The DSL reached the device bundle: the cell's definitions were not in a schema module the build compiles. */
export function dslProblem(importer: string): string {
  return `${relative(process.cwd(), importer)} imports core/schema (the schema DSL) into the device bundle: put the cell definitions in a schema module (schema.ts, <name>.schema.ts or <name>-schema.ts importing only core/schema), which the build compiles to literals, and import that from the cell code`;
}
