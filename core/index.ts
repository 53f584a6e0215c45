// The device-safe public API (ES5, callbacks, no Promise). Import codecs one by one from
// core/codecs/<name> in a device bundle so that unused ones are left out; hosts use core/host.
export { HEADER_SIZE, MAGIC, VERSION, Kind, CodecId, MethodId, RESERVED_METHOD_IDS, encodeHeader, decodeHeader, newHeader } from "./header";
export type { Header } from "./header";
export { CellError, ErrorCode, errorCodeName } from "./errors";
export { DropReason, newLinkStats, countDrop } from "./drops";
export type { LinkStats } from "./drops";
export type { Transport, Peer } from "./transport";
export { t, method, event, cell, T } from "./schema";
export type { Type, CellDef, Members, MethodDef, EventDef, MethodNames, EventNames, ReqOf, ResOf, EventOf, Infer } from "./schema";
export { Writer } from "./codec";
export type { Codec } from "./codec";
export { rawCodec, compactCodec, msgpackCodec, jsonCodec } from "./codecs";
export { loopbackPair } from "./loopback";
export type { LoopbackOptions } from "./loopback";
export { streamLink, bytePipe } from "./stream-link";
export type { BytePort, StreamLinkOptions } from "./stream-link";

export { endpoint, Endpoint } from "./rpc/endpoint";
export type { EndpointOptions } from "./rpc/options";
export { serve } from "./rpc/serve";
export type { Server, Handlers, ServeOptions } from "./rpc/serve";
export type { CallContext, Done } from "./rpc/context";
export { connect } from "./rpc/client";
export type { Client, CallOptions, ConnectOptions, Callback } from "./rpc/client";
export type { CallHandle } from "./rpc/calls";
export { announce } from "./rpc/announce";
export type { AnnounceOptions, Announcer } from "./rpc/announce";
export { encodeAnnounce, decodeAnnounce } from "./rpc/announce-payload";
export type { Announcement, AnnouncedCell } from "./rpc/announce-payload";
export { instanceTable } from "./rpc/instances";
export type { Instance, InstanceChange, InstanceTable, InstanceTableOptions } from "./rpc/instances";
export { readErrorPayload, writeErrorPayload } from "./rpc/error-payload";
