// All four payload codecs, for the host. A device bundle imports only the codec files it is built with,
// so an unused codec costs it nothing; a request in a codec it lacks is answered ERROR UnsupportedCodec.
import type { Codec } from "../codec";
import { rawCodec } from "./raw";
import { msgpackCodec } from "./msgpack";
import { compactCodec } from "./compact";
import { jsonCodec } from "./json";
import { useStructMaker } from "./compact-decode";
import { useTypedReader } from "./msgpack";
import { decodeTyped } from "./msgpack-typed";
import { makeStruct } from "./record";

export { rawCodec, msgpackCodec, compactCodec, jsonCodec };

// Speed-ups that cost code size, for hosts only (whatever imports codecs from here): structs built in one
// step, and MSGPACK read guided by the type. Device bundles import the codec files and leave them out.
useStructMaker(makeStruct);
useTypedReader(decodeTyped);

/** Indexed by CodecId. */
export var ALL_CODECS: Codec[] = [rawCodec, msgpackCodec, compactCodec, jsonCodec];

/** The codec with this id, or undefined for an id this version does not know. */
export function codecById(id: number): Codec | undefined {
  return ALL_CODECS[id];
}
