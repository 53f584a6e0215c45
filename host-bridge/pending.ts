// Requests in flight through the bridge, indexed three ways: by the id the bridge gave them on the
// instance's link (answers), by the client's link, peer and id (CANCELs, reused ids), and in a list
// ordered by deadline. Every request gets the same timeout, so arrival order is deadline order and one
// timer for the oldest is enough: no timer per request.
import type { Clock } from "../core/rpc/options";
import { Pending, Route, LinkState, peerId } from "./state";

const MAX_TIMER_MS = 0x7fffffff;

/** How much longer than a caller's deadline the bridge keeps its request (a CANCEL may be lost). */
export const DEADLINE_GRACE_MS = 100;

export class PendingTable {
  private head: Pending | null = null;
  private tail: Pending | null = null;
  private timer: unknown = null;
  /**
   * When the timer fires (clock ms). A request due no sooner leaves it be: the sweep then finds nothing
   * due and re-arms for the oldest, so a request alone in the table (one call at a time) costs no timer.
   */
  private timerAt = 0;
  count = 0;

  constructor(
    private clock: Clock,
    readonly timeoutMs: number,
    private onTimeout: (p: Pending) => void
  ) {}

  /**
   * Starts the clock of a request (the bridge's timeout, or `timeoutMs` when its caller sent a deadline)
   * and indexes it by its client. Requests with a deadline of their own are placed in deadline order,
   * searching from the newest: the rest arrive in order.
   */
  track(p: Pending, timeoutMs = 0): void {
    p.timeoutMs = timeoutMs > 0 ? timeoutMs : this.timeoutMs;
    // A caller with a deadline gives up itself at that time (and sends a CANCEL): the bridge waits a little
    // longer, so that the caller hears its own TimedOut rather than a race between two.
    p.deadline = this.clock.now() + p.timeoutMs + (timeoutMs > 0 ? DEADLINE_GRACE_MS : 0);
    let after = this.tail;
    while (after && after.deadline > p.deadline) after = after.prev;
    p.prev = after;
    p.next = after ? after.next : this.head;
    if (p.next) p.next.prev = p;
    else this.tail = p;
    if (after) after.next = p;
    else this.head = p;
    this.count++;
    const c = p.client;
    if (c) {
      const key = peerId(p.peer);
      let ids = c.byClient.get(key);
      if (!ids) {
        ids = c.spareIds || new Map<number, Pending>();
        c.spareIds = null;
        c.byClient.set(key, ids);
      }
      ids.set(p.clientId, p);
      c.clientInFlight++;
    }
    if (this.head === p && this.timer !== null && p.deadline < this.timerAt) {
      this.clock.clearTimer(this.timer); // it is due before the one the timer waits for
      this.timer = null;
    }
    if (this.timer === null) this.arm();
  }

  /** Forgets a request entirely (it was answered, failed or cancelled). Safe to call twice. */
  untrack(p: Pending): void {
    if (p.outId !== 0) this.detach(p);
    if (p.deadline === 0) return;
    p.deadline = 0;
    if (p.prev) p.prev.next = p.next;
    else this.head = p.next;
    if (p.next) p.next.prev = p.prev;
    else this.tail = p.prev;
    p.prev = p.next = null;
    this.count--;
    const c = p.client;
    if (c) {
      const key = peerId(p.peer);
      const ids = c.byClient.get(key);
      if (ids && ids.get(p.clientId) === p) {
        ids.delete(p.clientId);
        // Peers come and go (UDP): an empty index must not stay behind for each of them.
        if (ids.size === 0) {
          c.byClient.delete(key);
          c.spareIds = ids; // reused by the next client: one call at a time would otherwise make a Map per call
        }
        c.clientInFlight--;
      }
    }
  }

  /** Sends a tracked request's way to `route`: gives it a request id on that link and counts it there. */
  attach(p: Pending, route: Route): void {
    p.route = route;
    p.outId = route.via.allocateId();
    route.via.out.set(p.outId, p);
    route.via.outInFlight++;
    route.inFlight++;
  }

  /** Undoes `attach` (before a retry on another route, or when the request ends). */
  detach(p: Pending): void {
    const via = p.route.via;
    if (via.out.get(p.outId) === p) {
      via.out.delete(p.outId);
      via.outInFlight--;
      p.route.inFlight--;
    }
    p.outId = 0;
  }

  fromClient(link: LinkState, peer: string, requestId: number): Pending | undefined {
    const ids = link.byClient.get(peer);
    return ids && ids.get(requestId);
  }

  private arm(): void {
    if (!this.head) return;
    const now = this.clock.now();
    // Timers take at most 2^31-1 ms: past that Node fires at once, and a caller's deadline may be 2^32-1 ms.
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, this.head.deadline - now));
    this.timerAt = now + ms;
    this.timer = this.clock.setTimer(this.sweeper, ms);
    const t = this.timer as { unref?: () => void };
    if (t && typeof t.unref === "function") t.unref(); // bookkeeping must not keep a process alive
  }

  private readonly sweeper = (): void => this.sweep();

  private sweep(): void {
    this.timer = null;
    const now = this.clock.now();
    while (this.head && this.head.deadline <= now) {
      const p = this.head;
      this.onTimeout(p);
      this.untrack(p); // in case the handler did not
    }
    this.arm();
  }

  close(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
