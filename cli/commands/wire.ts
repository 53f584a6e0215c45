import { defineGroup } from "../args";
import { decode } from "../wire/decode";
import { encode } from "../wire/encode";

export const command = defineGroup("wire", "decode or build frames of the wire contract (for captured traffic and debugging)", [
  decode,
  encode
]);
