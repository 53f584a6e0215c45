// What the lite server (serve.ts) serves: cells as member tables by id, either compiled by a board build
// (CompiledCell) or indexed at start from core's shape (LiteCell, CellDef), and the server a cell's code
// gets for its events. Apart from serve.ts so that it reads as the server alone; rollup puts both in one
// scope, so a bundle is the same whichever file holds what.
import type { CellDef, Members, Type } from "../schema";
import type { Handlers, Server } from "../rpc/serve";
import { DEFS } from "./features";

/**
 * A cell as a board build compiles a schema module (firmware/build/): its members resolved at build
 * time into one table by member id, so the device walks nothing. A method is [name, request type,
 * response type], an event [name, type]; `e` gives event ids by name, for emit(). A type is a
 * descriptor (core/schema.ts Type), or in FNS builds the compact-fns.ts function that decodes or encodes
 * it, and an event's entry is then its encoder alone (a method's is still an array: `!entry[2]` holds
 * for events either way).
 */
export interface CompiledCell {
  readonly name: string;
  readonly id: number;
  readonly hash: number;
  readonly schema: string;
  readonly m: { readonly [memberId: string]: any };
  readonly e: { readonly [event: string]: number };
}

/**
 * A cell in core's shape (what cell() returns, or a literal like it): a member with `req` is a method,
 * with `type` an event. Indexed into a CompiledCell at start, in builds whose cells are not all compiled.
 */
export interface LiteCell {
  readonly name: string;
  readonly id: number;
  readonly hash: number;
  readonly schema: string;
  readonly info: {
    readonly [member: string]: { readonly id: number; readonly def: { readonly req?: Type; readonly res?: Type; readonly type?: Type } };
  };
}

/** One cell to serve, as firmware/runtime.ts's DeviceCell gives it. */
export interface LiteService<M extends Members = any> {
  def: CellDef<M> | LiteCell | CompiledCell;
  handlers: Handlers<M>;
  /** Runs once the cell is served, with its server: start timers or sensors here and emit events. */
  start?: (server: DeviceServer<M>) => void;
}

/** What a device's cell code gets to send events with: core's Server without what a device never does. */
export type DeviceServer<M extends Members = Members> = Pick<Server<M>, "emit">;

/** `def` as a member table: as it is when compiled, else indexed (only in builds that need it: DEFS). */
export function compiled(def: any): CompiledCell {
  if (!DEFS || def.m) return def;
  var m: any = {},
    e: any = {},
    n: string,
    d: any;
  for (n in def.info) {
    d = def.info[n].def;
    m[def.info[n].id] = d.req ? [n, d.req, d.res] : [n, d.type];
    if (!d.req) e[n] = def.info[n].id;
  }
  return { name: def.name, id: def.id, hash: def.hash, schema: def.schema, m: m, e: e };
}
