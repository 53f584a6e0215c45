// The one argument parser: a declaration gives the parse, the usage line and --help.
import { describe, it, expect, vi } from "vitest";
import { defineCommand, defineGroup, parse, option, repeated, flag, wholeNumber, oneOf, ms, UsageError } from "./args";
import { ExitCode } from "./exit-codes";

const options = {
  port: option({ value: "port", help: "where", required: true, parse: wholeNumber(1, 65535) }),
  codec: option({ value: "name", help: "which codec", default: "compact", parse: oneOf(["compact", "json"]) }),
  timeout: option({ value: "ms", help: "how long", parse: ms }),
  tag: repeated({ value: "text", help: "a tag" }),
  shift: option({ value: "n", help: "a shift", parse: wholeNumber(0, 10), optionalValue: { when: /^\d+$/, otherwise: "0" } }),
  json: flag("as JSON")
};
const args = [{ name: "target", required: true, help: "what" }, { name: "extra" }];

function fails(argv: string[]): string {
  try {
    parse({ options, args }, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(ExitCode.Usage);
    return (e as Error).message;
  }
  throw new Error("parsed: " + argv.join(" "));
}

describe("parse", () => {
  it("gives typed values, defaults and positionals", () => {
    const { values, args: rest } = parse({ options, args }, ["t", "--port", "80", "--tag=a", "--tag", "b", "--json", "--shift"]);
    expect(values).toEqual({ port: 80, codec: "compact", timeout: undefined, tag: ["a", "b"], shift: 0, json: true });
    expect(rest).toEqual(["t"]);
    expect(parse({ options, args }, ["--shift", "3", "t", "--port=1"]).values.shift).toBe(3);
    expect(parse({ options, args }, ["--port=1", "--shift", "t"]).args).toEqual(["t"]); // "t" is not a shift
    expect(parse({ options, args }, ["--port=1", "--", "--not-an-option"]).args).toEqual(["--not-an-option"]);
  });

  it("names the option in every refusal", () => {
    expect(fails(["t", "--port", "1", "--bogus"])).toBe("unknown option --bogus");
    expect(fails(["t", "--port", "1", "-x"])).toBe("unknown option -x");
    expect(fails(["t", "--port", "0"])).toBe('--port takes a whole number 1..65535, got "0"');
    expect(fails(["t", "--port", "1", "--codec", "xml"])).toBe('--codec takes compact or json, got "xml"');
    expect(fails(["t", "--port", "1", "--timeout"])).toBe("--timeout needs a value (ms)");
    expect(fails(["t", "--port", "1", "--json=no"])).toBe('--json takes no value, got "no"');
    expect(fails(["t", "--port", "1", "--port", "2"])).toBe("--port given twice");
    expect(fails(["t"])).toBe("missing --port port");
    expect(fails(["--port", "1"])).toBe("missing <target>");
    expect(fails(["a", "b", "c", "--port", "1"])).toBe('unexpected argument "c"');
    expect(fails(["t", "--port", "1", "--constructor", "x"])).toBe("unknown option --constructor");
  });
});

describe("defineCommand", () => {
  const command = defineCommand({
    name: "demo",
    summary: "show the parser",
    args,
    options,
    footer: "example: cell demo t --port 80",
    run: async () => ExitCode.Ok
  });

  it("derives the usage line and --help from the declaration", async () => {
    expect(command.usage).toBe("cell demo --port port <target> [<extra>] [options]");
    const help = command.help();
    expect(help).toMatch(/^usage: cell demo --port port <target> \[<extra>\] \[options\]\n\nShow the parser\./);
    expect(help).toMatch(/--codec name +which codec \(default compact\)/);
    expect(help).toMatch(/--tag text \(repeatable\) +a tag/);
    expect(help).toMatch(/--shift \[n\] +a shift/);
    expect(help).toMatch(/example: cell demo t --port 80$/);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    expect(await command.run(["--bogus", "--help"])).toBe(ExitCode.Ok); // --help wins
    expect(log).toHaveBeenCalledWith(help);
    log.mockRestore();
  });

  it("stamps its name and usage line on a usage error", async () => {
    const e = await command.run(["--bogus"]).catch((x) => x);
    expect([e.command, e.message, e.usage]).toEqual(["cell demo", "unknown option --bogus", command.usage]);
  });

  it("routes a group's words to its subcommands", async () => {
    const sub = defineCommand({ name: "g one", summary: "one", options: {}, run: async () => 7 });
    const group = defineGroup("g", "a group", [sub]);
    expect(await group.run(["one"])).toBe(7);
    const e = await group.run(["two"]).catch((x) => x);
    expect([e.command, e.message, e.usage]).toEqual(["cell g", 'expected one, got "two"', "cell g <one> ..."]);
  });
});
