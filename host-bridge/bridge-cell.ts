// The bridge is itself a cell, served on every side, so it is managed with the same tools as a device:
// `cell ls` is a call of bridge.cells, `cell call bridge.links '{}'` shows the link counters.
import { cell, method, t } from "../core/schema";
import type { Infer } from "../core/schema";

/** One (reason, count) pair: drops by reason, refusals by error code. Counters are f64: they outgrow u32. */
const Count = t.struct({ reason: t.string, count: t.f64 });

export const CellRow = t.struct({
  name: t.string,
  cellId: t.u32,
  schemaHash: t.u32,
  instanceId: t.u32,
  /** The bridge's name for the link it was heard on, e.g. "serial:/dev/ttyUSB0". */
  link: t.string,
  /** The peer on that link ("" on a point-to-point link). */
  peer: t.string,
  lastHeardMsAgo: t.u32,
  ttlMs: t.u32,
  /** Requests the bridge has sent it that are not answered yet. */
  inFlight: t.u32
});

export const LinkRow = t.struct({
  name: t.string,
  role: t.enum(["device", "network"]),
  framesIn: t.f64,
  framesOut: t.f64,
  bytesIn: t.f64,
  bytesOut: t.f64,
  /** Stream frames whose CRC-32 did not match (also in drops, as BadCrc). */
  crcFailures: t.f64,
  drops: t.array(Count),
  /** Requests from this link's clients in flight through the bridge, and the limit. */
  inFlight: t.u32,
  maxInFlight: t.u32,
  /** Requests the bridge sent on this link (to instances) and not yet answered. */
  outInFlight: t.u32,
  maxPayload: t.u32,
  /** Frames the link refused to send (closed, too large for it): answers and events that were lost. */
  sendFailures: t.f64,
  /** ERROR answers the bridge itself gave this link's clients, by code name (Overloaded, TooLarge, ...). */
  refused: t.array(Count)
});

export const Bridge = cell("bridge", {
  /** Cells in reach, one row per instance; `skip`/`limit` page through long listings (limit default 32). */
  cells: method(
    t.struct({ skip: t.optional(t.u32), limit: t.optional(t.u16) }),
    t.struct({ total: t.u32, instanceId: t.u32, cells: t.array(CellRow) }),
    { idempotent: true }
  ),
  /** Every link of the bridge with its counters. */
  links: method(t.struct({}), t.array(LinkRow), { idempotent: true })
});

export type CellRowValue = Infer<typeof CellRow>;
export type LinkRowValue = Infer<typeof LinkRow>;
export const DEFAULT_PAGE = 32;
