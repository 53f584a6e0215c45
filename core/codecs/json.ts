// JSON (codec 3): UTF-8 JSON text, for tools and people. Struct -> object, bytes -> base64 text, an absent
// optional field -> no key. The engine's JSON.stringify/parse exist on every target (spec/codecs.md).
import type { Codec, Writer } from "../codec";
import type { Type } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { CodecId } from "../header";
import { badPayload, checkValue, describeValue } from "../check";
import type { CheckOptions } from "../check";
import { utf8Decode, utf8Length, utf8Write } from "../utf8";
import { base64Decode, base64Encode } from "./base64";

var TO_JSON: CheckOptions = {
  finiteOnly: true,
  bytes: function (v: unknown, path: string): unknown {
    if (!(v instanceof Uint8Array)) badPayload(path, "expected bytes (a Uint8Array), got " + describeValue(v));
    return base64Encode(v as Uint8Array);
  }
};

var FROM_JSON: CheckOptions = {
  finiteOnly: true,
  bytes: function (v: unknown, path: string): unknown {
    var bytes = typeof v === "string" ? base64Decode(v) : null;
    if (!bytes) badPayload(path, "expected bytes (base64 text), got " + describeValue(v));
    return bytes;
  }
};

export var jsonCodec: Codec = {
  id: CodecId.Json,
  encode: function (type: Type, value: unknown, w: Writer): void {
    // stringify() gives undefined for an absent top-level optional: that is JSON null.
    var text = JSON.stringify(checkValue(type, value, "", TO_JSON));
    if (text === undefined) text = "null";
    w.ensure(utf8Length(text));
    w.pos = utf8Write(text, w.buf, w.pos);
  },
  decode: function (type: Type, bytes: Uint8Array): unknown {
    var parsed: unknown;
    try {
      parsed = JSON.parse(utf8Decode(bytes));
    } catch (e) {
      throw new CellError(ErrorCode.BadPayload, "payload: not JSON (" + (e as Error).message + ")", e);
    }
    return checkValue(type, parsed, "", FROM_JSON);
  }
};
