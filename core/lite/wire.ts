// The wire's numbers for the lite (device) path, by name (spec/wire-format.md). Const enums: TypeScript
// puts the number itself at every use, so a name costs no byte in a bundle. The same values as
// core/header.ts Kind and CodecId, which the host path uses.

/** The header's kind (byte 2, low 4 bits). */
export const enum Kind {
  Request = 0,
  Response = 1,
  Error = 2,
  Event = 3,
  Cancel = 4,
  Announce = 5
}

/** The header's codec id (byte 3). */
export const enum Codec {
  Raw = 0,
  Msgpack = 1,
  Compact = 2,
  Json = 3
}

/** Where the header's fields are, in bytes from the frame's start; the payload follows the 20-byte header. */
export const enum At {
  Kind = 2,
  Codec = 3,
  CellId = 4,
  MemberId = 8,
  RequestId = 12,
  Length = 16,
  Payload = 20
}

export const enum Header {
  /** The first 16 bits of every header, little-endian: magic 0xCE, then version 1. */
  MagicVersion = 0x1ce
}
