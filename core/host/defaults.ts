// What a host (Node) link gets unless told otherwise: every codec, and room for many calls at once.
import type { Transport } from "../transport";
import type { Codec } from "../codec";
import { endpoint, Endpoint } from "../rpc/endpoint";
import { EndpointOptions } from "../rpc/options";
import { rawCodec, compactCodec, msgpackCodec, jsonCodec } from "../codecs";

/** COMPACT first: it is the default codec of calls from a host. */
export var HOST_CODECS: Codec[] = [compactCodec, msgpackCodec, jsonCodec, rawCodec];
export var HOST_MAX_IN_FLIGHT = 1024;

/** The endpoint of `link`, created with the host defaults when it does not exist yet. */
export function hostEndpoint(link: Transport, opts?: EndpointOptions): Endpoint {
  return endpoint(link, { maxInFlight: HOST_MAX_IN_FLIGHT, ...opts, codecs: (opts && opts.codecs) || HOST_CODECS });
}
