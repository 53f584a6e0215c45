// JSON text ⇄ typed values, with the JSON codec's rules (bytes as base64, absent optionals as no key),
// so that `cell call` reads and prints values the same whatever codec carries them.
import { T, type Type } from "../../core/schema";
import { Writer } from "../../core/codec";
import { jsonCodec } from "../../core/codecs";
import { fieldPath, itemPath, isRecord } from "../../core/check";
import { utf8Encode, utf8Decode } from "../../core/utf8";
import { CliError, ExitCode } from "../exit-codes";
import { UsageError } from "../args";

/** Reads `text` as a value of `type`; a mismatch or a field the type does not have is named with its path. */
export function valueFromJson(type: Type, text: string, what: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what}: not JSON: ${(e as Error).message}`, ExitCode.BadInput);
  }
  const extra = unknownField(type, parsed, "");
  if (extra)
    throw new CliError(
      `${what}: unknown field ${JSON.stringify(extra.name)} at ${extra.path} (${type.sig} has no such field)`,
      ExitCode.BadInput
    );
  try {
    return jsonCodec.decode(type, utf8Encode(text));
  } catch (e) {
    throw new CliError(`${what}: does not match ${type.sig}: ${(e as Error).message}`, ExitCode.BadInput);
  }
}

/**
 * A request given on the command line, or not: an absent one stands for nothing (an optional type) or
 * {} (a struct whose fields are all optional); for any other type it is a missing value, and the
 * message says which type and shows an example.
 */
export function requestFromJson(type: Type, text: string | undefined, what: string): unknown {
  if (text !== undefined) return valueFromJson(type, text, what);
  if (type.k === T.Optional) return undefined;
  if (type.k === T.Struct && (type.fields ?? []).every((f) => f.type.k === T.Optional)) return {};
  throw new UsageError(`${what}: missing value: give a ${type.sig} as JSON, e.g. '${JSON.stringify(example(type))}'`);
}

/** The first key of `value` that its struct type does not declare, with where it is. */
export function unknownField(type: Type, value: unknown, path: string): { name: string; path: string } | null {
  if (type.k === T.Optional) return value === null || value === undefined ? null : unknownField(type.of!, value, path);
  if (type.k === T.Array && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unknownField(type.of!, value[i], itemPath(path, i));
      if (found) return found;
    }
  }
  if (type.k === T.Struct && isRecord(value)) {
    const fields = type.fields ?? [];
    for (const key of Object.keys(value as object)) {
      const field = fields.find((f) => f.name === key);
      if (!field) return { name: key, path: fieldPath(path, key) };
      const found = unknownField(field.type, (value as Record<string, unknown>)[key], fieldPath(path, key));
      if (found) return found;
    }
  }
  return null;
}

/** A value of `type` to show in a message. */
export function example(type: Type): unknown {
  switch (type.k) {
    case T.F32:
    case T.F64:
      return 1.5;
    case T.Bool:
      return true;
    case T.String:
      return "text";
    case T.Bytes:
      return "AQID";
    case T.Array:
      return [example(type.of!)];
    case T.Optional:
      return example(type.of!);
    case T.Enum:
      return type.values![0];
    case T.Struct: {
      const o: Record<string, unknown> = {};
      for (const f of type.fields ?? []) o[f.name] = example(f.type);
      return o;
    }
    default:
      return 1; // the integer kinds
  }
}

/** The shortest decimal that reads back as the same f32: 21.6, not 21.600000381469727. */
export function shortestF32(x: number): number {
  if (!isFinite(x) || x === 0) return x;
  const f = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === f) return y;
  }
  return x;
}

/** `value` with each f32 in it (in structs, arrays, optionals) replaced by its shortest decimal. */
export function shortFloats(type: Type, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (type.k) {
    case T.F32:
      return typeof value === "number" ? shortestF32(value) : value;
    case T.Optional:
      return shortFloats(type.of!, value);
    case T.Array:
      return Array.isArray(value) ? value.map((v) => shortFloats(type.of!, v)) : value;
    case T.Struct: {
      if (!isRecord(value)) return value;
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as object)) {
        const f = (type.fields ?? []).find((x) => x.name === k);
        o[k] = f ? shortFloats(f.type, v) : v;
      }
      return o;
    }
  }
  return value;
}

/** One line of JSON for a value of `type`. */
export function valueToJson(type: Type, value: unknown): string {
  const w = new Writer(256, 1 << 24);
  jsonCodec.encode(type, shortFloats(type, value), w);
  return utf8Decode(w.view());
}
