// Struct values for hosts: what decoders need about a struct type, worked out once per type and cached
// on it. Installed by codecs/index.ts; device bundles do without (their structs are built key by key).
import type { Field, Type } from "../schema";
import { jitEngine } from "../engine";
import { utf8Encode } from "../utf8";

interface StructInfo {
  /** Each field name as UTF-8, to match msgpack map keys without making strings of them. */
  keys: Uint8Array[];
  /** The object from the field values in declared order; `undefined` means absent (no key). */
  make: (values: unknown[]) => unknown;
}

var IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function keyedMaker(fields: Field[]): StructInfo["make"] {
  return function (values) {
    var obj: { [name: string]: unknown } = {};
    for (var i = 0; i < fields.length; i++) if (values[i] !== undefined) obj[fields[i].name] = values[i];
    return obj;
  };
}

/**
 * On a JIT, one compiled object literal per struct type: V8 then makes the object with its final shape in
 * one step, ~4x faster than adding keys one by one. Required fields up to the first optional one go in
 * the literal, later ones are assigned in order, so keys keep the declared order. Only plain identifiers
 * are compiled (never "__proto__"), so nothing from a schema (even one read off the wire) becomes code.
 */
function compiledMaker(fields: Field[]): StructInfo["make"] | null {
  var literal: string[] = [];
  var after = "";
  for (var i = 0; i < fields.length; i++) {
    var name = fields[i].name;
    if (!IDENTIFIER.test(name) || name === "__proto__") return null;
    var optional = fields[i].type.k === 12;
    if (after === "" && !optional) literal.push(name + ":v[" + i + "]");
    else after += (optional ? "if(v[" + i + "]!==undefined)" : "") + "o." + name + "=v[" + i + "];";
  }
  try {
    return new Function("v", "var o={" + literal.join(",") + "};" + after + "return o") as StructInfo["make"];
  } catch (e) {
    return null; // no eval here (a content security policy): key by key
  }
}

function structInfo(type: Type): StructInfo {
  var cached = (type as { _struct?: StructInfo })._struct;
  if (cached) return cached;
  var fields = type.fields || [];
  var keys: Uint8Array[] = [];
  for (var i = 0; i < fields.length; i++) keys.push(utf8Encode(fields[i].name));
  var info: StructInfo = { keys: keys, make: (jitEngine && compiledMaker(fields)) || keyedMaker(fields) };
  try {
    Object.defineProperty(type, "_struct", { value: info }); // not enumerable: the type prints as before
  } catch (e) {
    // a frozen type: worked out again on each use, slower but right
  }
  return info;
}

/** The value of struct `type` from its field values (declared order; undefined = absent). */
export function makeStruct(type: Type, values: unknown[]): unknown {
  return structInfo(type).make(values);
}

/** The field names of struct `type` as UTF-8. */
export function keysOf(type: Type): Uint8Array[] {
  return structInfo(type).keys;
}
