import { describe, it, expect } from "vitest";
import { withProjectDefaults } from "./project";
import { command as build } from "./commands/build";
import { command as sim } from "./commands/sim";
import { command as call } from "./commands/call";

const config = { board: "esp32", sim: "qemu-mps2-an385", src: "src" };

describe('a project\'s defaults (package.json "cell")', () => {
  it("fill in what cell build and cell sim leave out", () => {
    expect(withProjectDefaults("build", build, [], config)).toEqual(["--board", "esp32", "src"]);
    expect(withProjectDefaults("build", build, ["--json"], config)).toEqual(["--board", "esp32", "--json", "src"]);
    expect(withProjectDefaults("sim", sim, ["--watch"], config)).toEqual(["--board", "qemu-mps2-an385", "--watch", "src"]);
  });

  it("never override the command line, and skip option values when looking for the entry", () => {
    expect(withProjectDefaults("build", build, ["--board", "puckjs", "other"], config)).toEqual(["--board", "puckjs", "other"]);
    expect(withProjectDefaults("build", build, ["--out", "dist"], config)).toEqual(["--board", "esp32", "--out", "dist", "src"]);
    expect(withProjectDefaults("build", build, ["--board=rpi-pico"], config)).toEqual(["--board=rpi-pico", "src"]);
    expect(withProjectDefaults("sim", sim, ["--icount", "--count", "2"], config)).toEqual([
      "--board",
      "qemu-mps2-an385",
      "--icount",
      "--count",
      "2",
      "src"
    ]);
    expect(withProjectDefaults("sim", sim, ["--icount", "3", "b.js"], config)).toEqual([
      "--board",
      "qemu-mps2-an385",
      "--icount",
      "3",
      "b.js"
    ]);
  });

  it("leave other commands, --help and folders without a project alone", () => {
    expect(withProjectDefaults("call", call, ["x.y"], config)).toEqual(["x.y"]);
    expect(withProjectDefaults("build", build, ["--help"], config)).toEqual(["--help"]);
    expect(withProjectDefaults("build", build, [], null)).toEqual([]);
  });
});
