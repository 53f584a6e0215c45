// A raw byte medium (UART, TCP socket, pty, BLE UART characteristic), and an in-memory pair for tests.

/**
 * What a stream link needs from the medium. `write` must copy or consume the bytes before it returns:
 * the link passes a view of a buffer it reuses for the next frame.
 */
export interface BytePort {
  write(bytes: Uint8Array): void;
  /** Sets the one receiver of incoming bytes; chunks may split or join frames anyhow. */
  onData(cb: (bytes: Uint8Array) => void): void;
  close?(): void;
  onClose?(cb: () => void): void;
  onError?(cb: (e: Error) => void): void;
}

/** One end of a bytePipe: a BytePort with hooks to misbehave on purpose. */
export interface PipeEnd extends BytePort {
  /** Delivers raw bytes to the other end as if this end had written them (noise, hand-made frames). */
  inject(bytes: Uint8Array): void;
  /** Reports `err` to this end's error listener, as a failing port would. */
  fail(err: Error): void;
  /** Closes both ends: this end's close listener fires now, the other's after the bytes in flight. */
  close(): void;
}

export interface BytePipeOptions {
  /** Deliver during write (default: later, through `schedule`). Beware: a reply may then arrive re-entrantly. */
  sync?: boolean;
  /** How to run deliveries later; default setTimeout(fn, 0) if the engine has it, else synchronous. */
  schedule?: (fn: () => void) => void;
  /** Cuts each write into pieces: given the bytes left, returns the next piece's size (clamped to 1..left). */
  split?: (remaining: number) => number;
}

declare var setTimeout: ((fn: () => void, ms: number) => unknown) | undefined;

interface EndState {
  data: ((bytes: Uint8Array) => void) | null;
  closeCb: (() => void) | null;
  errorCb: ((e: Error) => void) | null;
  closed: boolean;
  queue: (Uint8Array | null)[]; // null marks the peer's close, after the bytes before it
  scheduled: boolean;
}

/** Two connected in-memory byte ports: what one writes, the other receives (copied, in order). */
export function bytePipe(opts?: BytePipeOptions): [PipeEnd, PipeEnd] {
  var o = opts || {};
  var sync = !!o.sync || (!o.schedule && typeof setTimeout !== "function");
  var schedule =
    o.schedule ||
    function (fn: () => void) {
      setTimeout!(fn, 0);
    };
  var states: EndState[] = [newEnd(), newEnd()];
  var closed = false;

  function newEnd(): EndState {
    return { data: null, closeCb: null, errorCb: null, closed: false, queue: [], scheduled: false };
  }

  function fireClose(s: EndState): void {
    if (s.closed) return;
    s.closed = true;
    if (s.closeCb) s.closeCb();
  }

  function hand(s: EndState, bytes: Uint8Array): void {
    var at = 0;
    while (at < bytes.length && !s.closed) {
      var size = o.split ? Math.max(1, Math.min(bytes.length - at, Math.floor(o.split(bytes.length - at)) || 1)) : bytes.length - at;
      var piece = bytes.subarray(at, at + size);
      at += size;
      if (s.data) s.data(piece);
    }
  }

  function flush(s: EndState): void {
    s.scheduled = false;
    while (s.queue.length > 0 && !s.closed) {
      var item = s.queue.shift()!;
      if (item === null) fireClose(s);
      else hand(s, item);
    }
  }

  function send(to: EndState, item: Uint8Array | null): void {
    if (sync) {
      if (item === null) fireClose(to);
      else hand(to, item);
      return;
    }
    to.queue.push(item);
    if (!to.scheduled) {
      to.scheduled = true;
      schedule(function () {
        flush(to);
      });
    }
  }

  function makeEnd(me: EndState, peer: EndState): PipeEnd {
    return {
      write: function (bytes: Uint8Array) {
        if (!closed && bytes.length > 0) send(peer, new Uint8Array(bytes));
      },
      inject: function (bytes: Uint8Array) {
        if (!closed && bytes.length > 0) send(peer, new Uint8Array(bytes));
      },
      onData: function (cb) {
        me.data = cb;
      },
      onClose: function (cb) {
        me.closeCb = cb;
      },
      onError: function (cb) {
        me.errorCb = cb;
      },
      fail: function (err: Error) {
        if (me.errorCb) me.errorCb(err);
      },
      close: function () {
        if (closed) return;
        closed = true;
        fireClose(me);
        send(peer, null);
      }
    };
  }

  return [makeEnd(states[0], states[1]), makeEnd(states[1], states[0])];
}
