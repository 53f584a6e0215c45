import type { Writer } from "../codec";
import type { Type } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { checkValue } from "../check";

/**
 * Runs a fast encoder that builds no field paths. On BadPayload it rewinds the writer and lets
 * checkValue throw the precise error naming the field; if that finds nothing, the original stands.
 * A value the fast path cannot even convert (an object whose toString is no function: a TypeError
 * from `v & 0xffff`) is a bad value too, never an error of another kind.
 */
export function encodeChecked(encodeValue: (type: Type, value: unknown, w: Writer) => void, type: Type, value: unknown, w: Writer): void {
  var start = w.pos;
  try {
    encodeValue(type, value, w);
  } catch (e) {
    w.pos = start;
    if (!(e instanceof CellError)) {
      checkValue(type, value, "");
      throw new CellError(ErrorCode.BadPayload, "value: " + (e as Error).message, e);
    }
    if (e.code === ErrorCode.BadPayload) checkValue(type, value, "");
    throw e;
  }
}
