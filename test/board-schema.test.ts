// boards/board.schema.json and the Board type (firmware/build/board.ts) say the same thing: every
// property of one is in the other, with the same type, the same literals and the same required-ness.
// The type is read with the TypeScript compiler API; the schema is walked as JSON Schema.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { UnknownBoardError, boardIds, loadBoard } from "../firmware/build";

type JsonSchema = {
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  type?: string | string[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

const schemaFile = fileURLToPath(new URL("../boards/board.schema.json", import.meta.url));
const root = JSON.parse(readFileSync(schemaFile, "utf8")) as JsonSchema & { $defs: Record<string, JsonSchema> };
const deref = (s: JsonSchema): JsonSchema => (s.$ref ? root.$defs[s.$ref.replace("#/$defs/", "")] : s);

/** A schema node's type as text: literals as JSON, `number` for integer and number, unions sorted. */
function schemaText(node: JsonSchema): string {
  const s = deref(node);
  if ("const" in s) return JSON.stringify(s.const);
  if (s.enum)
    return s.enum
      .map((v) => JSON.stringify(v))
      .sort()
      .join(" | ");
  const types = ([] as string[]).concat(s.type || []);
  return types
    .map((t) => (t === "integer" ? "number" : t === "array" ? `array<${schemaText(s.items!)}>` : t))
    .sort()
    .join(" | ");
}

/** The same text for a TypeScript type. */
function typeText(checker: ts.TypeChecker, type: ts.Type): string {
  const t = checker.getNonNullableType(type);
  if (t.isUnion())
    return t.types
      .map((m) => typeText(checker, m))
      .sort()
      .join(" | ");
  if (t.isStringLiteral() || t.isNumberLiteral()) return JSON.stringify(t.value);
  if (t.flags & ts.TypeFlags.String) return "string";
  if (t.flags & ts.TypeFlags.Number) return "number";
  if (t.flags & ts.TypeFlags.Boolean) return "boolean";
  if (checker.isArrayType(t)) return `array<${typeText(checker, checker.getTypeArguments(t as ts.TypeReference)[0])}>`;
  return "object";
}

/** Every difference between a schema object and a TypeScript object type, as "path: what" lines. */
function differences(checker: ts.TypeChecker, node: JsonSchema, type: ts.Type, path: string): string[] {
  const s = deref(node);
  const out: string[] = [];
  const props = checker.getPropertiesOfType(checker.getNonNullableType(type));
  const typeKeys = props.map((p) => p.name).sort();
  const schemaKeys = Object.keys(s.properties || {}).sort();
  for (const k of schemaKeys) if (!typeKeys.includes(k)) out.push(`${path}.${k}: in the schema, not in the type`);
  for (const p of props) {
    const at = `${path}.${p.name}`;
    const ps = s.properties && s.properties[p.name];
    if (!ps) {
      out.push(`${at}: in the type, not in the schema`);
      continue;
    }
    const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
    const required = (s.required || []).includes(p.name);
    if (optional === required)
      out.push(`${at}: ${required ? "required" : "optional"} in the schema, ${optional ? "optional" : "required"} in the type`);
    const pt = checker.getTypeOfSymbol(p);
    const want = schemaText(ps);
    const got = typeText(checker, pt);
    if (want !== got) out.push(`${at}: ${want} in the schema, ${got} in the type`);
    else if (got === "object") out.push(...differences(checker, ps, pt, at));
  }
  return out;
}

describe("the Board type and boards/board.schema.json", () => {
  // One program for both tests (building it is the slow part).
  const file = fileURLToPath(new URL("../firmware/build/board.ts", import.meta.url));
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ["lib.es5.d.ts"] });
  const checker = program.getTypeChecker();
  const board = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!).find((s) => s.name === "Board")!;

  it("have the same properties, types and required-ness", () => {
    expect(board, "firmware/build/board.ts exports Board").toBeDefined();
    expect(differences(checker, root, checker.getDeclaredTypeOfSymbol(board), "Board")).toEqual([]);
  });

  it("the comparison notices a difference", () => {
    // A schema without `id` and with `mcu.part` optional must not pass as equal.
    const changed = JSON.parse(JSON.stringify(root));
    delete changed.properties.id;
    changed.properties.mcu.required = changed.properties.mcu.required.filter((k: string) => k !== "part");
    changed.properties.maxFrameBytes.type = "string";
    expect(differences(checker, changed, checker.getDeclaredTypeOfSymbol(board), "Board")).toEqual([
      "Board.id: in the type, not in the schema",
      "Board.mcu.part: optional in the schema, required in the type",
      "Board.maxFrameBytes: string in the schema, number in the type"
    ]);
  });
});

describe("loadBoard", () => {
  it("loads every board file, named after its id", () => {
    for (const id of boardIds()) expect(loadBoard(id).id).toBe(id);
  });

  it("refuses an unknown id with the list of boards", () => {
    const list = boardIds().join(", ");
    expect(list).toContain("qemu-mps2-an385");
    expect(() => loadBoard("esp33")).toThrow(`unknown board "esp33" (boards: ${list})`);
    expect(() => loadBoard("../package")).toThrow(`unknown board "../package" (boards: ${list})`);
    expect(() => loadBoard("board.schema")).toThrow(/unknown board "board.schema"/);
    const e = (() => {
      try {
        loadBoard("nope");
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(UnknownBoardError);
    expect(e).toMatchObject({ name: "UnknownBoardError", id: "nope", boards: boardIds() });
  });
});
