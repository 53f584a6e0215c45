// The schema DSL. A cell is declared once; TypeScript types, canonical signatures and ids all come from it.
import { fnv1a32String } from "./fnv";
import { RESERVED_METHOD_IDS } from "./header";

/** Type kinds: codecs switch on these numbers. */
export var T = {
  U8: 0,
  U16: 1,
  U32: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  F32: 6,
  F64: 7,
  Bool: 8,
  String: 9,
  Bytes: 10,
  Array: 11,
  Optional: 12,
  Struct: 13,
  Enum: 14
};

/** A type descriptor. `_t` is never set: it only carries the TypeScript type. */
export interface Type<V = unknown> {
  readonly k: number;
  /** Canonical text, e.g. `{unit:enum<C|F>,value:f32}`; it is what ids are hashed from. */
  readonly sig: string;
  readonly of?: Type;
  readonly fields?: Field[];
  readonly values?: string[];
  readonly _t?: V;
}
export interface Field {
  readonly name: string;
  readonly type: Type;
}

export type Infer<X> = X extends Type<infer V> ? V : never;

type OptionalKeys<F> = { [K in keyof F]: F[K] extends Type<infer V> ? (undefined extends V ? K : never) : never }[keyof F];
type RequiredKeys<F> = Exclude<keyof F, OptionalKeys<F>>;
type Simplify<O> = { [K in keyof O]: O[K] } & {};
export type StructValue<F extends Record<string, Type<any>>> = Simplify<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

function scalar<V>(k: number, sig: string): Type<V> {
  return { k: k, sig: sig };
}

var NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function checkName(what: string, name: string): void {
  // A field named like something every object inherits ("constructor", "toString", ...) would read as
  // present when absent; members are looked up with own-property checks, so only "__proto__" is barred there.
  var inherited = what === "member" ? name === "__proto__" : name in Object.prototype;
  if (!NAME.test(name) || inherited) throw new Error("schema: bad " + what + " name " + JSON.stringify(name) + " (letters, digits, _)");
}

export var t = {
  u8: scalar<number>(T.U8, "u8"),
  u16: scalar<number>(T.U16, "u16"),
  u32: scalar<number>(T.U32, "u32"),
  i8: scalar<number>(T.I8, "i8"),
  i16: scalar<number>(T.I16, "i16"),
  i32: scalar<number>(T.I32, "i32"),
  f32: scalar<number>(T.F32, "f32"),
  f64: scalar<number>(T.F64, "f64"),
  bool: scalar<boolean>(T.Bool, "bool"),
  string: scalar<string>(T.String, "string"),
  bytes: scalar<Uint8Array>(T.Bytes, "bytes"),
  array: function <V>(of: Type<V>): Type<V[]> {
    return { k: T.Array, sig: "array<" + of.sig + ">", of: of };
  },
  optional: function <V>(of: Type<V>): Type<V | undefined> {
    if (of.k === T.Optional) throw new Error("schema: optional(optional(...)) is not allowed");
    return { k: T.Optional, sig: "optional<" + of.sig + ">", of: of };
  },
  /** Fields keep their declared order: COMPACT encodes them in that order, and the signature says so. */
  struct: function <F extends Record<string, Type<any>>>(fields: F): Type<StructValue<F>> {
    var list: Field[] = [];
    var sig: string[] = [];
    for (var name in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
      checkName("field", name);
      list.push({ name: name, type: fields[name] });
      sig.push(name + ":" + fields[name].sig);
    }
    return { k: T.Struct, sig: "{" + sig.join(",") + "}", fields: list };
  },
  enum: function <const V extends readonly string[]>(values: V): Type<V[number]> {
    if (values.length === 0) throw new Error("schema: an enum needs at least one value");
    for (var i = 0; i < values.length; i++) {
      checkName("enum value", values[i]);
      for (var j = 0; j < i; j++) if (values[j] === values[i]) throw new Error("schema: enum value " + values[i] + " twice");
    }
    return { k: T.Enum, sig: "enum<" + values.join("|") + ">", values: values.slice() as string[] };
  }
};

export interface MethodDef<Req = unknown, Res = unknown> {
  readonly kind: "method";
  readonly req: Type<Req>;
  readonly res: Type<Res>;
  /** A retried call cannot do harm (a read): the bridge may retry it once on another instance. */
  readonly idempotent: boolean;
}
export interface EventDef<V = unknown> {
  readonly kind: "event";
  readonly type: Type<V>;
}

export function method<Req, Res>(req: Type<Req>, res: Type<Res>, opts?: { idempotent?: boolean }): MethodDef<Req, Res> {
  return { kind: "method", req: req, res: res, idempotent: !!(opts && opts.idempotent) };
}

export function event<V>(type: Type<V>): EventDef<V> {
  return { kind: "event", type: type };
}

export type Members = Record<string, MethodDef<any, any> | EventDef<any>>;

/** What a cell's members resolve to at run time: the id and signature of each method or event. */
export interface MemberInfo {
  readonly name: string;
  readonly id: number;
  readonly sig: string;
  readonly def: MethodDef | EventDef;
}

export interface CellDef<M extends Members = Members> {
  readonly name: string;
  /** FNV-1a-32 of the name in UTF-8. */
  readonly id: number;
  readonly members: M;
  /** By member name. */
  readonly info: { [name: string]: MemberInfo };
  /** By id, as a decimal string key (ES5 has no Map). */
  readonly byId: { [id: string]: MemberInfo };
  /** The canonical schema text (what `describe` returns); `hash` is its FNV-1a-32. */
  readonly schema: string;
  readonly hash: number;
}

/** Canonical signature of one member: `name(REQ)->RES` for a method, `event name(T)` for an event. */
export function memberSignature(name: string, def: MethodDef | EventDef): string {
  return def.kind === "method" ? name + "(" + def.req.sig + ")->" + def.res.sig : "event " + name + "(" + def.type.sig + ")";
}

export function cell<M extends Members>(name: string, members: M): CellDef<M> {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error("schema: bad cell name " + JSON.stringify(name));
  var info: { [name: string]: MemberInfo } = {};
  var byId: { [id: string]: MemberInfo } = {};
  var sigs: string[] = [];
  for (var m in members) {
    if (!Object.prototype.hasOwnProperty.call(members, m)) continue;
    checkName("member", m);
    var def = members[m];
    var sig = memberSignature(m, def);
    var id = fnv1a32String(sig);
    if (id < RESERVED_METHOD_IDS) throw new Error("schema: " + sig + " hashes to reserved id " + id + "; rename it");
    if (byId[id]) throw new Error("schema: " + sig + " and " + byId[id].sig + " hash to the same id; rename one");
    info[m] = byId[id] = { name: m, id: id, sig: sig, def: def };
    sigs.push(sig);
  }
  sigs.sort();
  var schema = "cell " + name + "{" + sigs.join(";") + "}";
  return { name: name, id: fnv1a32String(name), members: members, info: info, byId: byId, schema: schema, hash: fnv1a32String(schema) };
}

/** The method names of a cell, and their request/response types. */
export type MethodNames<M> = { [K in keyof M]: M[K] extends MethodDef<any, any> ? K : never }[keyof M] & string;
export type EventNames<M> = { [K in keyof M]: M[K] extends EventDef<any> ? K : never }[keyof M] & string;
export type ReqOf<D> = D extends MethodDef<infer Q, any> ? Q : never;
export type ResOf<D> = D extends MethodDef<any, infer R> ? R : never;
export type EventOf<D> = D extends EventDef<infer V> ? V : never;
