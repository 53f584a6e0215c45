/**
 * Error codes carried in ERROR frames (spec/wire-format.md, "ERROR payload").
 * One flat set; a code's meaning never changes. 0 is never sent.
 */
export var ErrorCode = {
  UnknownCell: 1,
  UnknownMethod: 2, // also what a changed signature gets: a new signature is a new method id
  BadPayload: 3,
  HandlerFailed: 4,
  Cancelled: 5,
  TimedOut: 6,
  TooLarge: 7,
  Overloaded: 8,
  UnsupportedCodec: 9,
  Unreachable: 10, // the instance that held the request went away (bridge, reset board)
  LinkClosed: 11
};

export type ErrorCodeName = keyof typeof ErrorCode;

/** The name of a numeric code, or "Code<n>" for one this version does not know. */
export function errorCodeName(code: number): string {
  for (var k in ErrorCode) if ((ErrorCode as any)[k] === code) return k;
  return "Code" + code;
}

/**
 * An error with a wire code. Works on ES5 engines: the prototype is fixed up because
 * a down-levelled `super()` call on Error returns a plain Error.
 */
export class CellError extends Error {
  code!: number;
  codeName!: string;
  cause?: unknown;
  constructor(code: number, message?: string, cause?: unknown) {
    super(message || errorCodeName(code));
    var self = this;
    var proto = CellError.prototype;
    if ((Object as any).setPrototypeOf) (Object as any).setPrototypeOf(self, proto);
    else (self as any).__proto__ = proto;
    self.name = "CellError";
    self.message = message || errorCodeName(code);
    self.code = code;
    self.codeName = errorCodeName(code);
    if (cause !== undefined) self.cause = cause;
  }
}
