// JSON text ⇄ typed values, with the JSON codec's rules (bytes as base64, absent optionals as no key),
// so that `cell call` reads and prints values the same whatever codec carries them.
import type { Type } from "../../core/schema";
import { Writer } from "../../core/codec";
import { jsonCodec } from "../../core/codecs";
import { utf8Encode, utf8Decode } from "../../core/utf8";
import { CliError, ExitCode } from "../exit-codes";

/** Reads `text` as a value of `type`; a mismatch names the field. */
export function valueFromJson(type: Type, text: string, what: string): unknown {
  try {
    JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what}: not JSON: ${(e as Error).message}`, ExitCode.BadInput);
  }
  try {
    return jsonCodec.decode(type, utf8Encode(text));
  } catch (e) {
    throw new CliError(`${what}: does not match ${type.sig}: ${(e as Error).message}`, ExitCode.BadInput);
  }
}

/** One line of JSON for a value of `type`. */
export function valueToJson(type: Type, value: unknown): string {
  const w = new Writer(256, 1 << 24);
  jsonCodec.encode(type, value, w);
  return utf8Decode(w.view());
}
