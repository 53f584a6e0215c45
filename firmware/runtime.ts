// The device runtime: serves a bundle's cells on the board's link. A board build calls start() from a
// generated entry with the link its HAL adapter opened and only the codecs the build selected, so
// everything else stays out of the bundle.
import type { CellDef, Members } from "../core/schema";
import type { Codec } from "../core/codec";
import type { Transport } from "../core/transport";
import { HEADER_SIZE } from "../core/header";
import { streamLink } from "../core/stream-link";
import { serve, Handlers, Server } from "../core/rpc/serve";
import type { HalLink } from "./hal";

/** One cell as a bundle provides it. */
export interface DeviceCell<M extends Members = any> {
  def: CellDef<M>;
  handlers: Handlers<M>;
  /** Runs once the cell is served: start timers or sensors here and emit events through `server`. */
  start?: (server: Server<M>) => void;
}

export interface StartOptions {
  link: HalLink;
  /** The codecs the build selected (COMPACT, when present, is what events are sent in). */
  codecs: Codec[];
  /** Largest frame (header ‖ payload) in either direction; from the board file. */
  maxFrame: number;
  /** Requests handled at once, and peers per event; small by default to bound a device's memory. */
  maxInFlight?: number;
  maxSubscribers?: number;
}

export interface Device {
  link: Transport;
  /** By cell name: `servers.echo.emit("count", n)`. */
  servers: { [cell: string]: Server<any> };
}

export function start(cells: DeviceCell[], opts: StartOptions): Device {
  var link = opts.link.frames || streamLink(opts.link.bytes!, { maxFrame: opts.maxFrame });
  var servers: { [cell: string]: Server<any> } = {};
  var options = {
    codecs: opts.codecs,
    maxPayload: opts.maxFrame - HEADER_SIZE,
    maxInFlight: opts.maxInFlight || 4,
    maxSubscribers: opts.maxSubscribers || 4
  };
  var i;
  for (i = 0; i < cells.length; i++) servers[cells[i].def.name] = serve(cells[i].def, cells[i].handlers, link, options);
  // Start hooks run after every cell is served, so an early event cannot race a cell not yet there.
  for (i = 0; i < cells.length; i++) {
    var hook = cells[i].start;
    if (hook) hook(servers[cells[i].def.name]);
  }
  return { link: link, servers: servers };
}
