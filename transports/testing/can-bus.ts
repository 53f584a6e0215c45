// An in-memory CAN bus for tests: adapters that hear every frame the others send (never their own),
// delivered on a later turn as a real controller would, with hooks to lose frames and to fail the bus.
import type { Transport, Peer } from "../../core/transport";
import type { CanAdapter } from "../can/adapter";
import type { CanFrame } from "../can/frame";
import { dlcOf } from "../can/frame";
import { CanBusError } from "../can/errors";

export interface MemoryAdapter extends CanAdapter {
  /** Reports bus-off (or, with false, a refused frame) to this adapter's link. */
  fail(busOff: boolean): void;
}

export interface MemoryBus {
  adapter(name: string, opts?: { fd?: boolean }): MemoryAdapter;
  /** Every frame put on the bus, in order, with its sender's name. */
  readonly log: { from: string; frame: CanFrame }[];
  /** Frames for which this returns true are lost (never delivered). */
  lose: (frame: CanFrame, from: string) => boolean;
  /** Puts a frame on the bus as if some other node had sent it. */
  inject(frame: CanFrame): void;
}

export function memoryCanBus(): MemoryBus {
  const members: { name: string; fd: boolean; deliver: (f: CanFrame) => void }[] = [];
  const bus: MemoryBus = {
    log: [],
    lose: () => false,
    inject: (frame) => broadcast("injected", frame),
    adapter(name, opts = {}) {
      let onFrame: (f: CanFrame) => void = () => {};
      let onError: (e: Error) => void = () => {};
      const closers: (() => void)[] = [];
      let closed = false;
      const member = { name, fd: !!opts.fd, deliver: (f: CanFrame) => !closed && onFrame(f) };
      members.push(member);
      return {
        name,
        fd: !!opts.fd,
        send(frame) {
          if (closed) throw new Error(`${name} is closed`);
          if (dlcOf(frame.data.length) < 0 || (!frame.fd && frame.data.length > 8))
            throw new Error(`${name}: no CAN frame has ${frame.data.length} data bytes${frame.fd ? "" : " (classic CAN: 8 at most)"}`);
          if (frame.fd && !opts.fd) throw new Error(`${name} is not a CAN FD interface`);
          broadcast(name, { ...frame, data: frame.data.slice() });
        },
        onFrame: (cb) => (onFrame = cb),
        onError: (cb) => (onError = cb),
        onClose: (cb) => (closed ? cb() : closers.push(cb)),
        close() {
          if (closed) return;
          closed = true;
          members.splice(members.indexOf(member), 1);
          for (const cb of closers.splice(0)) cb();
        },
        fail: (busOff) => onError(new CanBusError(busOff ? "bus-off" : "the controller refused a frame", busOff))
      };
    }
  };
  function broadcast(from: string, frame: CanFrame): void {
    bus.log.push({ from, frame });
    if (bus.lose(frame, from)) return;
    for (const m of members) if (m.name !== from && (m.fd || !frame.fd)) setImmediate(() => m.deliver(frame));
  }
  return bus;
}

/** A many-peer link seen as a point-to-point one towards `peer` (for remote() in tests): sends go to it, frames from others are ignored. */
export function toward(link: Transport, peer: Peer): Transport {
  return {
    maxFrame: link.maxFrame,
    stats: link.stats,
    send: (frame) => link.send(frame, peer),
    onFrame: (cb) => link.onFrame((frame, from) => from === peer && cb(frame)),
    onError: (cb) => link.onError(cb),
    onClose: (cb) => link.onClose(cb),
    close: () => link.close()
  };
}
