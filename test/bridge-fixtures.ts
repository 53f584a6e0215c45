// Shared by the test/bridge-*.test.ts files: a device cell served and announced over a link, a bridge
// wired to it, an in-memory many-peer link (like UDP) and helpers to wait for things on real timers.
import { cell, method, event, t } from "../core/schema";
import { loopbackPair } from "../core/loopback";
import { serve } from "../core/host/serve";
import { remote, Remote } from "../core/host/remote";
import { announce, Announcer } from "../core/rpc/announce";
import { newLinkStats } from "../core/drops";
import { HEADER_SIZE } from "../core/header";
import { CellError, ErrorCode } from "../core/errors";
import type { Transport, Peer } from "../core/transport";
import type { Server } from "../core/rpc/serve";
import type { CallContext } from "../core/rpc/context";
import { createBridge, Bridge } from "../host-bridge/bridge";
import type { BridgeOptions, LinkOptions } from "../host-bridge/options";
import { waitFor } from "./wait-for";

export const Unit = t.enum(["C", "F"]);
export const Thermo = cell("thermo", {
  read: method(t.struct({ unit: Unit }), t.struct({ value: t.f32, unit: Unit, by: t.u32 }), { idempotent: true }),
  add: method(t.struct({ a: t.i32, b: t.i32 }), t.struct({ sum: t.i32, by: t.u32 })),
  /** Answers only when the test releases it (see Device.held). */
  hold: method(t.u32, t.struct({ n: t.u32, by: t.u32 })),
  /** Like hold, but safe to retry. */
  holdIdem: method(t.u32, t.struct({ n: t.u32, by: t.u32 }), { idempotent: true }),
  blob: method(t.u32, t.bytes),
  echo: method(t.bytes, t.bytes),
  /** add, answered after `ms`: keeps requests in flight for a while. */
  slowAdd: method(t.struct({ a: t.i32, b: t.i32, ms: t.u16 }), t.struct({ sum: t.i32, by: t.u32 })),
  slowRead: method(t.struct({ n: t.u32, ms: t.u16 }), t.struct({ n: t.u32, by: t.u32 }), { idempotent: true }),
  alarm: event(t.struct({ value: t.f32, by: t.u32 }))
});

/** Schedules loopback deliveries on the next macrotask turn without setTimeout's 1 ms floor. */
export const fast = (fn: () => void): void => {
  setImmediate(fn);
};

export interface Device {
  instanceId: number;
  link: Transport;
  server: Server<typeof Thermo.members>;
  announcer: Announcer;
  /** Requests handled, by method. */
  handled: Record<string, number>;
  /** hold/holdIdem calls waiting for release, with their cancel flag. */
  held: { n: number; ctx: CallContext; release: () => void }[];
  releaseAll(): void;
  /** Stops answering and announcing without a goodbye: a board that lost power. */
  mute(): void;
}

/** Serves Thermo on `link` and announces it there, as a board would. */
export function device(link: Transport, instanceId: number, ttlMs = 3000): Device {
  const handled: Record<string, number> = {};
  const held: Device["held"] = [];
  let muted = false;
  const count = (m: string) => (handled[m] = (handled[m] || 0) + 1);
  const holding = (n: number, ctx: CallContext) =>
    new Promise<{ n: number; by: number }>((resolve) => {
      held.push({ n, ctx, release: () => resolve({ n, by: instanceId }) });
    });
  const server = serve(
    Thermo,
    {
      read: ({ unit }) => (count("read"), { value: unit === "C" ? 21.5 : 70.7, unit, by: instanceId }),
      add: ({ a, b }) => (count("add"), { sum: a + b, by: instanceId }),
      hold: (n, ctx) => (count("hold"), holding(n, ctx as CallContext)),
      holdIdem: (n, ctx) => (count("holdIdem"), holding(n, ctx as CallContext)),
      blob: (n) => (count("blob"), new Uint8Array(n).fill(7)),
      echo: (b) => (count("echo"), b),
      slowAdd: ({ a, b, ms }) => (count("slowAdd"), new Promise((res) => setTimeout(() => res({ sum: a + b, by: instanceId }), ms))),
      slowRead: ({ n, ms }) => (count("slowRead"), new Promise((res) => setTimeout(() => res({ n, by: instanceId }), ms)))
    },
    link
  );
  const announcer = announce(link, { instanceId, ttlMs, cells: [Thermo] });
  const send = link.send.bind(link);
  link.send = (frame: Uint8Array, to?: Peer) => {
    if (!muted) send(frame, to);
  };
  return {
    instanceId,
    link,
    server,
    announcer,
    handled,
    held,
    releaseAll() {
      for (const h of held.splice(0)) h.release();
    },
    mute() {
      muted = true;
    }
  };
}

export interface Rig {
  bridge: Bridge;
  devices: Device[];
  /** Client ends of network links. */
  clients: Transport[];
  log: string[];
  close(): void;
}

/** A bridge with `devices` boards (loopback links) and `clients` network links (one loopback each). */
export function rig(
  opts: {
    devices?: number;
    clients?: number;
    ttlMs?: number;
    bridge?: BridgeOptions;
    device?: LinkOptions;
    network?: LinkOptions;
    maxFrame?: number;
  } = {}
): Rig {
  const log: string[] = [];
  const bridge = createBridge({ log: (l) => log.push(l), ...opts.bridge });
  const devices: Device[] = [];
  const clients: Transport[] = [];
  for (let i = 0; i < (opts.devices ?? 1); i++) {
    const [board, side] = loopbackPair({ schedule: fast, maxFrame: opts.maxFrame });
    bridge.addLink(side, { role: "device", name: `dev${i}`, ...opts.device });
    devices.push(device(board, 0x100 + i, opts.ttlMs));
  }
  for (let i = 0; i < (opts.clients ?? 1); i++) {
    const [client, side] = loopbackPair({ schedule: fast, maxFrame: opts.maxFrame });
    bridge.addLink(side, { role: "network", name: `net${i}`, ...opts.network });
    clients.push(client);
  }
  return {
    bridge,
    devices,
    clients,
    log,
    close() {
      for (const d of devices) d.announcer.stop();
      bridge.close();
    }
  };
}

/** Resolves once `cond()` holds; fails the test after `ms`. */
export function until(cond: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  return waitFor(what, cond, ms, 1);
}

/** Waits until the bridge lists `n` instances of `cellId`. */
export function instances(bridge: Bridge, cellId: number, n: number): Promise<void> {
  return until(() => bridge.cells().filter((c) => c.cellId === cellId).length === n, 3000, `${n} instances of ${cellId}`);
}

export function client(link: Transport, timeoutMs = 5000): Remote<typeof Thermo.members> {
  return remote(Thermo, link, { timeoutMs });
}

/** The CellError a promise rejects with (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<CellError> {
  try {
    const v = await p;
    throw new Error("expected a failure, got " + JSON.stringify(v));
  } catch (e) {
    if ((e as Error).name !== "CellError") throw e;
    return e as CellError;
  }
}

export const codeOf = (name: keyof typeof ErrorCode) => ErrorCode[name];

/**
 * An in-memory link with many peers, like a UDP socket: the bridge side sees each client as a Peer
 * ("mem:<id>"); `send` without `to` goes to every client. Deliveries run on a later turn, copied.
 */
export function hub(maxFrame = 65536 + HEADER_SIZE) {
  const clients = new Map<string, { deliver: (f: Uint8Array) => void }>();
  let serverListener: ((frame: Uint8Array, from?: Peer) => void) | null = null;
  const closers: (() => void)[] = [];
  let closed = false;
  const server: Transport = {
    maxFrame,
    stats: newLinkStats(),
    send(frame, to) {
      if (closed) throw new CellError(ErrorCode.LinkClosed, "hub closed");
      if (frame.length > maxFrame) throw new CellError(ErrorCode.TooLarge, "too large");
      server.stats.framesOut++;
      server.stats.bytesOut += frame.length;
      const copy = frame.slice();
      const targets = to ? [clients.get(to.id)] : Array.from(clients.values());
      for (const c of targets) if (c) setImmediate(() => c.deliver(copy));
    },
    onFrame(l) {
      serverListener = l;
    },
    onError() {},
    onClose(l) {
      closers.push(l);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const c of closers) c();
    }
  };
  function connect(id: string): Transport {
    const peer = { id: "mem:" + id };
    let listener: ((frame: Uint8Array) => void) | null = null;
    const link: Transport = {
      maxFrame,
      stats: newLinkStats(),
      send(frame) {
        if (closed) throw new CellError(ErrorCode.LinkClosed, "hub closed");
        link.stats.framesOut++;
        const copy = frame.slice();
        setImmediate(() => {
          server.stats.framesIn++;
          server.stats.bytesIn += copy.length;
          if (!closed && serverListener) serverListener(copy, peer);
        });
      },
      onFrame(l) {
        listener = l;
      },
      onError() {},
      onClose() {},
      close() {
        clients.delete(peer.id);
      }
    };
    clients.set(peer.id, {
      deliver: (f) => {
        link.stats.framesIn++;
        if (listener) listener(f);
      }
    });
    return link;
  }
  return { server, connect };
}
