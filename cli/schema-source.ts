// A cell's schema as TypeScript in the DSL (core/schema.ts), so a pulled cell's types are inferred just
// as if its authors' file were here. Generated from the descriptors parseSchema() rebuilt from the
// canonical text, so the file hashes to exactly what the remote answered.
import type { CellDef, Members, Type } from "../core/schema";
import { T } from "../core/schema";
import { hex32 } from "../core/hex";

const SCALAR: Record<number, string> = {
  [T.U8]: "u8",
  [T.U16]: "u16",
  [T.U32]: "u32",
  [T.I8]: "i8",
  [T.I16]: "i16",
  [T.I32]: "i32",
  [T.F32]: "f32",
  [T.F64]: "f64",
  [T.Bool]: "bool",
  [T.String]: "string",
  [T.Bytes]: "bytes"
};

export function typeSource(type: Type): string {
  if (SCALAR[type.k]) return `t.${SCALAR[type.k]}`;
  if (type.k === T.Array) return `t.array(${typeSource(type.of!)})`;
  if (type.k === T.Optional) return `t.optional(${typeSource(type.of!)})`;
  if (type.k === T.Enum) return `t.enum([${type.values!.map((v) => JSON.stringify(v)).join(", ")}])`;
  if (type.k === T.Struct) return `t.struct({ ${type.fields!.map((f) => `${f.name}: ${typeSource(f.type)}`).join(", ")} })`;
  throw new Error(`no DSL for type kind ${type.k}`);
}

/** "motor.left" → "MotorLeft": the exported name of the cell. */
export const constName = (cell: string): string =>
  cell
    .split(/[^A-Za-z0-9_]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

export interface PulledFrom {
  address: string;
  pulledAt: string;
  /** How the file imports the SDK: a relative path to its root, or "cell" when installed as a package. */
  sdk: string;
}

export function pulledSource(def: CellDef<Members>, from: PulledFrom): string {
  const name = constName(def.name);
  const members = Object.keys(def.info)
    .sort()
    .map((m) => {
      const d = def.info[m].def;
      return d.kind === "method" ? `  ${m}: method(${typeSource(d.req)}, ${typeSource(d.res)})` : `  ${m}: event(${typeSource(d.type)})`;
    });
  const usesEvent = members.some((m) => / event\(/.test(m));
  const usesMethod = members.some((m) => / method\(/.test(m));
  const dsl = ["cell", ...(usesEvent ? ["event"] : []), ...(usesMethod ? ["method"] : []), "t"].join(", ");
  return [
    `// ${def.name}, pulled by \`cell pull ${def.name}\` from ${from.address} at ${from.pulledAt}.`,
    `// Generated: \`cell pull ${def.name} --update\` rewrites it (and moves the lock in Cell.lock).`,
    `// Schema: ${def.schema}`,
    `import { ${dsl} } from "${from.sdk}/core/schema";`,
    `import { pinnedRemote } from "${from.sdk}/trust/pinned";`,
    `import type { Transport } from "${from.sdk}/core/transport";`,
    `import type { RemoteOptions } from "${from.sdk}/core/host/remote";`,
    "",
    `export const ${name} = cell(${JSON.stringify(def.name)}, {`,
    members.join(",\n"),
    "});",
    "",
    "/** The schema hash Cell.lock pinned (FNV-1a-32 of the canonical schema text). */",
    `export const lockedHash = ${JSON.stringify(hex32(def.hash))};`,
    "",
    `/** A typed client of ${def.name}; its first call fails with SpeciatedError if the remote's schema is no longer the locked one. */`,
    "export function connect(link: Transport, opts?: RemoteOptions) {",
    `  return pinnedRemote(${name}, lockedHash, link, opts);`,
    "}",
    ""
  ].join("\n");
}
