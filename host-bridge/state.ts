// The bridge's bookkeeping objects: a link it holds, a route to one instance of a cell, a request in flight.
import type { Transport, Peer } from "../core/transport";
import type { LinkRole } from "./options";
import type { Tap } from "./tap";
import type { CellError } from "../core/errors";

export function peerId(peer: Peer | undefined): string {
  return peer ? peer.id : "";
}

export class LinkState {
  clientInFlight = 0;
  outInFlight = 0;
  closed = false;
  /** Requests the bridge sent on this link, by the request id it gave them here. */
  readonly out = new Map<number, Pending>();
  /** Requests from this link's clients, by peer and then by the client's own request id. */
  readonly byClient = new Map<string, Map<number, Pending>>();
  /** An emptied `byClient` index kept for the next client (see PendingTable.untrack). */
  spareIds: Map<number, Pending> | null = null;
  /** ERRORs the bridge itself answered this link's clients with, by code name. */
  readonly refused: Record<string, number> = {};
  sendFailures = 0;
  tap: Tap | null = null;
  /** Learns the cells other bridges announce here (LinkOptions.learnBridges). */
  learnBridges = false;
  /** The largest frame each peer takes (by peer id), as it said in answer to a query (rpc.md §8.1). */
  readonly peerMaxFrame = new Map<string, number>();
  private nextId = 1;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly role: LinkRole,
    readonly link: Transport,
    readonly learn: boolean,
    readonly maxPayload: number,
    readonly maxInFlight: number,
    readonly maxOutInFlight: number
  ) {}

  /** A request id for a frame sent here: u32, never 0, not in flight on this link. */
  allocateId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = id >= 0xffffffff ? 1 : id + 1;
      if (!this.out.has(id)) return id;
    }
  }

  /** The largest frame that may be sent to `peer` here: the link's, or less if the peer said so. */
  maxFrameTo(peer: Peer | undefined): number {
    const said = this.peerMaxFrame.get(peerId(peer));
    return said !== undefined && said < this.link.maxFrame ? said : this.link.maxFrame;
  }

  refuse(codeName: string): void {
    this.refused[codeName] = (this.refused[codeName] || 0) + 1;
  }

  /** Sends a frame the bridge does not need to hear about; a refusal is counted, never thrown. */
  trySend(frame: Uint8Array, to: Peer | undefined): boolean {
    if (this.closed) return false;
    try {
      this.link.send(frame, to);
      return true;
    } catch {
      this.sendFailures++;
      return false;
    }
  }
}

/** One instance of one cell, reached over `via` (and `peer` on a link with many). */
export class Route {
  inFlight = 0;
  gone = false;
  /** When an answer last told the instance table this instance is alive (router.ts). */
  aliveAt = -Infinity;
  /** The instance's TTL when it was added (how often an answer is worth telling the table about). */
  ttlMs = 0;
  constructor(
    readonly key: string,
    readonly name: string,
    readonly cellId: number,
    readonly schemaHash: number,
    readonly instanceId: number,
    readonly via: LinkState,
    readonly peer: Peer | undefined
  ) {}
}

/** What an internal request (the bridge's own subscribe, describe) does with its answer. */
export type InternalDone = (err: CellError | null, payload: Uint8Array | null) => void;

/** A request in flight through the bridge: who asked (or the bridge itself), and where it went. */
export class Pending {
  /** The client's link; null for the bridge's own requests. */
  client: LinkState | null = null;
  peer: Peer | undefined = undefined;
  clientId = 0;
  route!: Route;
  outId = 0;
  cellId = 0;
  methodId = 0;
  deadline = 0;
  /** How long this request may take: the bridge's timeout, or the caller's deadline (rpc.md §2.1). */
  timeoutMs = 0;
  prev: Pending | null = null;
  next: Pending | null = null;
  /** A copy of the request, kept only when it may be retried on another instance. */
  retryFrame: Uint8Array | null = null;
  retried = false;
  /** For a client's subscribe: the event id, recorded when the instance accepts; else -1. */
  subscribeEvent = -1;
  internal: InternalDone | null = null;
}
