// Events across the bridge. A client's subscribe travels to an instance like any request; once accepted,
// the bridge records the client and subscribes itself on the cell's other instances (and on new ones as
// they appear), so every instance's events reach every subscriber. The last client to leave makes the
// bridge unsubscribe upstream. Devices see one subscriber, the bridge, however many clients there are.
import type { Peer } from "../core/transport";
import { MethodId } from "../core/header";
import { LinkState, Route, Pending, InternalDone, peerId } from "./state";

export interface EventHost {
  routesOf(cellId: number): Route[] | undefined;
  internalCall(route: Route, methodId: number, u32: number, done: InternalDone): void;
  log(line: string): void;
}

interface Subscriber {
  link: LinkState;
  peer: Peer | undefined;
}

interface Subscription {
  cellId: number;
  eventId: number;
  clients: Map<string, Subscriber>;
  /** Instances that accepted the bridge's subscription, by route key. */
  upstream: Map<string, Route>;
  /** Instances asked and not answered yet. */
  asking: Set<string>;
}

function subKey(cellId: number, eventId: number): string {
  return cellId + "/" + eventId;
}

function clientKey(link: LinkState, peer: Peer | undefined): string {
  return link.index + "|" + peerId(peer);
}

export class EventRelay {
  private subs = new Map<string, Subscription>();
  /** Subscribers over all events: bounded whatever clients do. */
  total = 0;

  constructor(
    private host: EventHost,
    readonly maxSubscribers: number
  ) {}

  /** A client's subscribe was accepted by `p.route`; false when the bridge has no room for the client. */
  accepted(p: Pending): boolean {
    const key = subKey(p.cellId, p.subscribeEvent);
    let sub = this.subs.get(key);
    if (!sub) {
      sub = { cellId: p.cellId, eventId: p.subscribeEvent, clients: new Map(), upstream: new Map(), asking: new Set() };
      this.subs.set(key, sub);
    }
    sub.upstream.set(p.route.key, p.route);
    const ck = clientKey(p.client!, p.peer);
    if (!sub.clients.has(ck)) {
      if (this.total >= this.maxSubscribers) {
        if (sub.clients.size === 0) this.end(key, sub);
        return false;
      }
      sub.clients.set(ck, { link: p.client!, peer: p.peer });
      this.total++;
    }
    const routes = this.host.routesOf(p.cellId);
    if (routes) for (const r of routes) this.subscribeOn(sub, r);
    return true;
  }

  /**
   * A client's unsubscribe. True when the bridge answers it itself (the client was subscribed, or others
   * are, so the event exists); false when nobody is subscribed and an instance should judge it.
   */
  unsubscribe(link: LinkState, peer: Peer | undefined, cellId: number, eventId: number): boolean {
    const key = subKey(cellId, eventId);
    const sub = this.subs.get(key);
    if (!sub || sub.clients.size === 0) return false;
    if (sub.clients.delete(clientKey(link, peer))) {
      this.total--;
      if (sub.clients.size === 0) this.end(key, sub);
    }
    return true;
  }

  /** An EVENT from `link`/`peer`: sent on to the subscribers if it comes from an instance subscribed to it. */
  relay(link: LinkState, peer: Peer | undefined, cellId: number, eventId: number, frame: Uint8Array): void {
    const sub = this.subs.get(subKey(cellId, eventId));
    if (!sub) return;
    const from = peerId(peer);
    let known = false;
    for (const r of sub.upstream.values()) if (r.via === link && peerId(r.peer) === from) known = true;
    if (!known) return; // not from an instance the bridge subscribed to: nobody asked for it
    for (const c of sub.clients.values()) c.link.trySend(frame, c.peer);
  }

  routeAdded(route: Route): void {
    for (const sub of this.subs.values()) if (sub.cellId === route.cellId && sub.clients.size > 0) this.subscribeOn(sub, route);
  }

  routeGone(route: Route): void {
    for (const sub of this.subs.values()) {
      sub.upstream.delete(route.key);
      sub.asking.delete(route.key);
    }
  }

  /** The link's clients are gone (or one peer of it): their subscriptions end with them. */
  linkClosed(link: LinkState, peer?: Peer): void {
    for (const [key, sub] of Array.from(this.subs.entries())) {
      for (const [ck, c] of Array.from(sub.clients.entries())) {
        if (c.link !== link || (peer && peerId(c.peer) !== peer.id)) continue;
        sub.clients.delete(ck);
        this.total--;
      }
      if (sub.clients.size === 0) this.end(key, sub);
    }
  }

  peerGone(link: LinkState, peer: Peer): void {
    this.linkClosed(link, peer);
  }

  /** Subscriptions as (cell, event, subscriber count, instances subscribed), for tests and logs. */
  list(): { cellId: number; eventId: number; clients: number; upstream: number }[] {
    return Array.from(this.subs.values(), (s) => ({
      cellId: s.cellId,
      eventId: s.eventId,
      clients: s.clients.size,
      upstream: s.upstream.size
    }));
  }

  private subscribeOn(sub: Subscription, route: Route): void {
    if (sub.upstream.has(route.key) || sub.asking.has(route.key)) return;
    sub.asking.add(route.key);
    const self = this;
    this.host.internalCall(route, MethodId.Subscribe, sub.eventId, function (err) {
      sub.asking.delete(route.key);
      if (err) {
        self.host.log(`subscribe to event 0x${sub.eventId.toString(16)} of ${route.name} on ${route.via.name} failed: ${err.message}`);
        return;
      }
      if (route.gone) return;
      sub.upstream.set(route.key, route);
      // Everybody left while the answer was on its way: undo.
      if (self.subs.get(subKey(sub.cellId, sub.eventId)) !== sub)
        self.host.internalCall(route, MethodId.Unsubscribe, sub.eventId, function () {});
    });
  }

  private end(key: string, sub: Subscription): void {
    this.subs.delete(key);
    for (const r of sub.upstream.values()) {
      if (!r.gone) this.host.internalCall(r, MethodId.Unsubscribe, sub.eventId, function () {});
    }
  }
}
