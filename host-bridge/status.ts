// The rows of bridge.cells() and bridge.links(): what the bridge knows, as plain values.
import type { Instance } from "../core/rpc/instances";
import type { CellRowValue, LinkRowValue } from "./bridge-cell";
import type { LinkState, Route } from "./state";
import { peerId } from "./state";

function counts(table: Record<string, number>): { reason: string; count: number }[] {
  return Object.keys(table)
    .sort()
    .map((reason) => ({ reason, count: table[reason] }));
}

export function cellRows(
  instances: Instance[],
  linkOf: (i: Instance) => LinkState | undefined,
  routeOf: (key: string) => Route | undefined,
  now: number
): CellRowValue[] {
  const rows: CellRowValue[] = [];
  for (const i of instances) {
    const ls = linkOf(i);
    if (!ls) continue;
    const route = routeOf(routeKey(i.instanceId, i.cellId, ls, i.peer && i.peer.id));
    rows.push({
      name: i.name,
      cellId: i.cellId,
      schemaHash: i.schemaHash,
      instanceId: i.instanceId,
      link: ls.name,
      peer: peerId(i.peer),
      lastHeardMsAgo: Math.max(0, Math.min(0xffffffff, Math.round(now - i.lastHeard))),
      ttlMs: i.ttlMs,
      inFlight: route ? route.inFlight : 0
    });
  }
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.instanceId - b.instanceId));
  return rows;
}

export function routeKey(instanceId: number, cellId: number, ls: LinkState, peer: string | undefined): string {
  return instanceId + "/" + cellId + "/" + ls.index + "/" + (peer || "");
}

/** Drops some links count outside the process (UDP: the OS's, for a full receive buffer), found by duck typing. */
function outsideDrops(ls: LinkState): Record<string, number> {
  const link = ls.link as { osReceiveDrops?: () => number | null };
  const n = typeof link.osReceiveDrops === "function" ? link.osReceiveDrops() : null;
  return n ? { ReceiveBufferFull: n } : {};
}

export function linkRow(ls: LinkState): LinkRowValue {
  const s = ls.link.stats;
  return {
    name: ls.name,
    role: ls.role,
    framesIn: s.framesIn,
    framesOut: s.framesOut,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    crcFailures: s.drops.BadCrc || 0,
    drops: counts({ ...s.drops, ...outsideDrops(ls) }),
    inFlight: ls.clientInFlight,
    maxInFlight: ls.maxInFlight,
    outInFlight: ls.outInFlight,
    maxPayload: ls.maxPayload,
    sendFailures: ls.sendFailures,
    refused: counts(ls.refused)
  };
}
