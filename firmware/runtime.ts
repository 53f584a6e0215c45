// The device runtime: serves a bundle's cells on the board's link with the size-first path of
// core/lite, and announces them so a host bridge finds the device. A board build calls start() from a
// generated entry (firmware/build/) with the link its HAL adapter opened, framed for the board (the
// lite stream link over a byte port, or the sim firmware's frame link as it is), and only the codecs the
// build selected, so everything else stays out of the bundle.
import type { CellDef, Members } from "../core/schema";
import type { Handlers } from "../core/rpc/serve";
import type { LiteLink } from "../core/lite/bytes";
import { serve, LiteServeOptions, DeviceServer } from "../core/lite/serve";

export type { DeviceServer };

/** One cell as a bundle provides it. */
export interface DeviceCell<M extends Members = any> {
  def: CellDef<M>;
  handlers: Handlers<M>;
  /** Runs once the cell is served: start timers or sensors here and emit events through `server`. */
  start?: (server: DeviceServer<M>) => void;
}

export interface StartOptions extends LiteServeOptions {
  link: LiteLink;
}

/** Serves `cells` and runs their start hooks (serve() runs each as its cell is served, with its server). */
export function start(cells: DeviceCell[], opts: StartOptions): void {
  serve(cells, opts.link, opts);
}
