// serve() for hosts: handlers return the response or a Promise of it; the link gets every codec.
import type { Transport } from "../transport";
import type { CellDef, Members, MethodNames, ReqOf, ResOf } from "../schema";
import { serve as serveOnEndpoint, Server, Handlers, ServeOptions } from "../rpc/serve";
import { CallContext } from "../rpc/context";
import { hostEndpoint } from "./defaults";

/** A handler answers with its return value or a Promise; throwing or rejecting sends an ERROR frame. */
export type HostHandlers<M extends Members> = {
  [K in MethodNames<M>]: (req: ReqOf<M[K]>, ctx: CallContext<ResOf<M[K]>>) => ResOf<M[K]> | Promise<ResOf<M[K]>>;
};

export function serve<M extends Members>(cell: CellDef<M>, handlers: HostHandlers<M>, link: Transport, opts?: ServeOptions): Server<M> {
  hostEndpoint(link, opts);
  return serveOnEndpoint(cell, handlers as unknown as Handlers<M>, link, opts);
}
