// Reads the canonical schema text (what `describe` answers) back into type descriptors and a CellDef, so a
// tool that has no TypeScript schema (the CLI, a bridge) can still encode requests with the right ids.
// Grammar (core/schema.ts makes it; nothing else is accepted, not even a space):
//   type   = u8|u16|u32|i8|i16|i32|f32|f64|bool|string|bytes | array<type> | optional<type>
//          | {name:type,...} | enum<A|B|...>
//   member = name(type)->type | event name(type)
//   schema = cell NAME{member;member;...}        (members sorted, as cell() sorts them)
import { t, T, method, event, cell, Type, CellDef, Members } from "./schema";
import { CellError, ErrorCode } from "./errors";

/** Nesting deeper than this is refused, so hostile text cannot exhaust the stack. */
export var MAX_TYPE_DEPTH = 32;

var SCALARS: { [sig: string]: Type } = {
  u8: t.u8,
  u16: t.u16,
  u32: t.u32,
  i8: t.i8,
  i16: t.i16,
  i32: t.i32,
  f32: t.f32,
  f64: t.f64,
  bool: t.bool,
  string: t.string,
  bytes: t.bytes
};

function has(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** A cursor over the text; errors name the offset so a bad byte in a long schema can be found. */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new CellError(ErrorCode.BadPayload, "schema text: " + what + " at offset " + this.pos);
  }

  eat(s: string): boolean {
    if (this.text.substring(this.pos, this.pos + s.length) !== s) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string): void {
    if (!this.eat(s)) this.fail("expected " + JSON.stringify(s));
  }

  /** Letters, digits and `_` (and `.`/`-` when `cellName`): what the DSL accepts as names. */
  name(cellName?: boolean): string {
    var start = this.pos;
    var text = this.text;
    while (this.pos < text.length) {
      var c = text.charAt(this.pos);
      var ok =
        (c >= "a" && c <= "z") ||
        (c >= "A" && c <= "Z") ||
        c === "_" ||
        (this.pos > start && ((c >= "0" && c <= "9") || (cellName && (c === "." || c === "-"))));
      if (!ok) break;
      this.pos++;
    }
    if (this.pos === start) this.fail("expected a name");
    var name = text.substring(start, this.pos);
    // As a key of a plain object it would set the prototype instead of adding an entry.
    if (name === "__proto__") {
      this.pos = start;
      this.fail("__proto__ is not a name");
    }
    return name;
  }

  type(depth: number): Type {
    if (depth > MAX_TYPE_DEPTH) this.fail("types nested deeper than " + MAX_TYPE_DEPTH);
    if (this.eat("{")) return this.struct(depth);
    var start = this.pos;
    var word = this.name();
    if (word === "array" || word === "optional") {
      this.expect("<");
      var of = this.type(depth + 1);
      this.expect(">");
      if (word === "array") return t.array(of);
      if (of.k === T.Optional) this.fail("optional<optional<...>> is not a type");
      return t.optional(of);
    }
    if (word === "enum") return this.enumType();
    if (!has(SCALARS, word)) {
      this.pos = start;
      this.fail("unknown type " + JSON.stringify(word));
    }
    return SCALARS[word];
  }

  struct(depth: number): Type {
    var fields: { [name: string]: Type } = {};
    if (this.eat("}")) return t.struct(fields);
    do {
      var at = this.pos;
      var name = this.name();
      if (has(fields, name)) {
        this.pos = at;
        this.fail("field " + name + " twice");
      }
      this.expect(":");
      fields[name] = this.type(depth + 1);
    } while (this.eat(","));
    this.expect("}");
    return this.build(function () {
      return t.struct(fields);
    });
  }

  enumType(): Type {
    this.expect("<");
    var values: string[] = [];
    do values.push(this.name());
    while (this.eat("|"));
    this.expect(">");
    return this.build(function () {
      return t.enum(values);
    });
  }

  /** Runs a DSL constructor; its complaint (a reserved name, a repeated value) becomes a parse error. */
  build<R>(make: () => R): R {
    try {
      return make();
    } catch (e) {
      return this.fail((e as Error).message.replace(/^schema: /, ""));
    }
  }

  end(): void {
    if (this.pos !== this.text.length) this.fail("unexpected " + JSON.stringify(this.text.charAt(this.pos)));
  }
}

/** The type written as `text` (a type signature, e.g. `{unit:enum<C|F>}`); throws CellError(BadPayload). */
export function parseType(text: string): Type {
  var r = new Reader(text);
  var type = r.type(0);
  r.end();
  return type;
}

/**
 * The cell whose canonical schema text is `text`, rebuilt with cell() so that its ids and hash are
 * computed, not trusted. Methods come back not idempotent: the text does not say. Throws
 * CellError(BadPayload) for text that is malformed or not canonical (then ids could not match).
 */
export function parseSchema(text: string): CellDef<Members> {
  var r = new Reader(text);
  r.expect("cell ");
  var name = r.name(true);
  r.expect("{");
  var members: Members = {};
  if (!r.eat("}")) {
    do {
      var at = r.pos;
      var isEvent = r.eat("event ");
      var member = r.name();
      if (has(members, member)) {
        r.pos = at;
        r.fail("member " + member + " twice");
      }
      r.expect("(");
      var first = r.type(1);
      r.expect(")");
      if (isEvent) members[member] = event(first);
      else {
        r.expect("->");
        members[member] = method(first, r.type(1));
      }
    } while (r.eat(";"));
    r.expect("}");
  }
  r.end();
  var def = r.build(function () {
    return cell(name, members);
  });
  // Members out of order (or any other difference) would still parse but is not what cell() hashes.
  if (def.schema !== text)
    throw new CellError(ErrorCode.BadPayload, "schema text: not canonical (members must be sorted); expected " + def.schema);
  return def;
}
