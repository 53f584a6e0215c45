// Links that take REQUESTs per cell (NATS: a subscription in the cell's queue group) must be told which
// cells the bridge serves there. The bridge serves its own cell and every cell it reaches over another
// link: never one it reaches only over that same link, or its requests could come back to it.
import type { Transport } from "../core/transport";

/** A link that takes REQUESTs only for the cells it was told to serve (transports/nats.ts). */
export interface CellServingLink extends Transport {
  serveCell(cellId: number): Promise<void>;
  unserveCell(cellId: number): Promise<void>;
}

export function servesCells(link: Transport): link is CellServingLink {
  const l = link as Partial<CellServingLink>;
  return typeof l.serveCell === "function" && typeof l.unserveCell === "function";
}

/** Keeps what a link serves equal to a wanted set, applying only the differences. */
export class ServedCells {
  private served = new Set<number>();
  private stopped = false;

  constructor(
    private link: CellServingLink,
    private name: string,
    private log: (line: string) => void
  ) {}

  /** Returns when the cells no longer wanted are drained (requests already routed here are in). */
  update(wanted: number[]): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const want = new Set(wanted);
    const draining: Promise<void>[] = [];
    for (const id of this.served) {
      if (want.has(id)) continue;
      this.served.delete(id);
      draining.push(
        this.link
          .unserveCell(id)
          .catch((e: Error) => this.log(`link ${this.name}: cannot stop serving cell 0x${id.toString(16)}: ${e.message}`))
      );
    }
    for (const id of want) {
      if (this.served.has(id)) continue;
      this.served.add(id);
      this.link.serveCell(id).catch((e: Error) => {
        this.served.delete(id);
        this.log(`link ${this.name}: cannot serve cell 0x${id.toString(16)}: ${e.message}`);
      });
    }
    return Promise.all(draining).then(() => undefined);
  }

  /** Stops taking requests for every cell (the bridge is draining or closing). */
  stop(): Promise<void> {
    const drained = this.update([]);
    this.stopped = true;
    return drained;
  }
}
