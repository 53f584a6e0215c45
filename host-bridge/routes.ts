// Which instances serve which cell, and the choice among them: fewest requests in flight, ties taken
// in turn so that equally loaded instances alternate.
import type { Route } from "./state";

export class RouteTable {
  private byCell = new Map<number, Route[]>();
  private byKey = new Map<string, Route>();
  private turn = 0;

  add(route: Route): void {
    this.byKey.set(route.key, route);
    const list = this.byCell.get(route.cellId);
    if (list) list.push(route);
    else this.byCell.set(route.cellId, [route]);
  }

  remove(key: string): Route | null {
    const route = this.byKey.get(key);
    if (!route) return null;
    this.byKey.delete(key);
    const list = this.byCell.get(route.cellId)!;
    list.splice(list.indexOf(route), 1);
    if (list.length === 0) this.byCell.delete(route.cellId);
    route.gone = true;
    return route;
  }

  get(key: string): Route | undefined {
    return this.byKey.get(key);
  }

  /** The routes of a cell (the table's own array: do not keep it), or undefined when none. */
  of(cellId: number): Route[] | undefined {
    return this.byCell.get(cellId);
  }

  all(): Route[] {
    return Array.from(this.byKey.values());
  }

  /** The least loaded route of a cell that can take one more request, skipping `exclude`; null if none can. */
  pick(cellId: number, exclude?: Route): Route | null {
    const list = this.byCell.get(cellId);
    if (!list) return null;
    const n = list.length;
    const start = n > 1 ? this.turn++ % n : 0;
    let best: Route | null = null;
    for (let i = 0; i < n; i++) {
      const r = list[(start + i) % n];
      if (r === exclude || r.via.closed || r.via.outInFlight >= r.via.maxOutInFlight) continue;
      if (best === null || r.inFlight < best.inFlight) best = r;
    }
    if (this.turn > 0x3fffffff) this.turn = 0;
    return best;
  }
}
