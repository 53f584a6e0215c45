// Device bundles: each codec is its own module, so a bundle built with some codecs holds none of the
// others' code, and what it holds is plain ES5.
import { describe, it, expect } from "vitest";
import { rollup, type Plugin } from "rollup";
import ts from "typescript";
import { parse } from "acorn";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Resolves extensionless imports to .ts files and compiles them to ES5, as the device build does. */
const es5: Plugin = {
  name: "es5-ts",
  resolveId(source, importer) {
    if (!importer || !(source.startsWith(".") || source.startsWith("/"))) return null;
    const file = resolve(dirname(importer), source + ".ts");
    return existsSync(file) ? file : null;
  },
  load(id) {
    return id.endsWith(".ts") ? readFileSync(id, "utf8") : null;
  },
  transform(code, id) {
    if (!id.endsWith(".ts")) return null;
    const out = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.ESNext } });
    return { code: out.outputText, map: null };
  }
};

async function bundle(imports: string): Promise<string> {
  const entry: Plugin = {
    name: "entry",
    resolveId: (id) => (id === "entry" ? id : null),
    load: (id) => (id === "entry" ? imports : null)
  };
  const build = await rollup({ input: "entry", plugins: [entry, es5], onwarn: () => {} });
  const { output } = await build.generate({ format: "iife", name: "bundle" });
  if (process.env.SHOW_BUNDLE) console.log(output[0].code);
  return output[0].code;
}

/** A function only each codec's own files define. */
const marker = { raw: "isEmptyStruct", compact: "writeVarint", msgpack: "readMsgpack", json: "base64Encode" };

describe("device bundles", () => {
  for (const [codec, file] of [
    ["raw", "raw"],
    ["compact", "compact"],
    ["msgpack", "msgpack"],
    ["json", "json"]
  ] as const) {
    it(`with only ${codec} hold no other codec, in ES5`, async () => {
      const code = await bundle(`import { ${codec}Codec } from ${JSON.stringify(resolve(here, file))}; export var c = ${codec}Codec;`);
      for (const [other, name] of Object.entries(marker)) {
        expect(code.includes("function " + name + "("), other + " in the " + codec + " bundle").toBe(other === codec);
      }
      expect(() => parse(code, { ecmaVersion: 5, sourceType: "script", allowReserved: true } as never)).not.toThrow();
    }, 30000);
  }
});
