// A link wrapper that turns "the board rebooted" into a prompt, clear error for the calls it lost.
//
// The firmware never answers a request its old JavaScript heap had taken but not answered when it was
// reset (spec/loader.md, "Reset, and requests in flight"). It handles frames strictly in arrival order,
// so once an answer arrives to a request sent *after* the reboot point (the loader's `reset`/`commit`
// answer itself, or a `status` sent after a reboot banner), every earlier request still unanswered is
// lost for good. The guard tracks requests to the bundle's cells by id and then answers them locally
// with ERROR Unreachable ("the instance that held the request went away"), through the endpoint's own
// path, so `remote()` callers see a CellError instead of waiting for their timeout.
//
// A reboot also forgets which events the host subscribed to. The guard remembers the subscriptions the
// board accepted and sends them again after a reboot (with request ids of its own, counting down from
// 2^32-1 while the host's count up from 1; their answers are its own and are not passed on).
import type { Transport } from "../core/transport";
import { HEADER_SIZE, Kind, CodecId, MethodId, encodeHeader, readU32, writeU32 } from "../core/header";
import { ErrorCode } from "../core/errors";
import { Writer } from "../core/codec";
import { writeErrorPayload } from "../core/rpc/error-payload";

export interface RebootGuard extends Transport {
  /** A point in the order of sent requests (the next request sent gets a higher sequence number). */
  mark(): number;
  /**
   * The board rebooted: fails every tracked request sent before `mark` that is still unanswered with
   * ERROR Unreachable (`reason` in the message), and subscribes again to the events it had accepted.
   * Call only once the board has answered something sent after `mark`. Returns how many calls failed.
   */
  failBefore(mark: number, reason: string): number;
  /** Requests to the bundle's cells sent and not yet answered. */
  readonly pending: number;
  /** Event subscriptions the board accepted (renewed after a reboot). */
  readonly subscriptions: number;
}

interface Pending {
  cellId: number;
  methodId: number;
  seq: number;
}

/** Wraps `inner`. Requests to cells in `exempt` (the loader, which lives in C and survives) are not tracked. */
export function rebootGuard(inner: Transport, exempt: number[]): RebootGuard {
  var pending = new Map<number, Pending>();
  /** Subscribe requests in flight (request id → "cellId/eventId"), and those the board accepted. */
  var subscribing = new Map<number, string>();
  var subscribed = new Set<string>();
  /** Request ids of the guard's own renewals, whose answers are not passed on. */
  var own = new Set<number>();
  var nextOwnId = 0xffffffff;
  var seq = 0;
  var listener: ((frame: Uint8Array) => void) | null = null;
  var errorFrame = new Writer(64);

  function settle(frame: Uint8Array): void {
    var kind = frame[2] & 15;
    if (kind !== Kind.Response && kind !== Kind.Error && kind !== Kind.Cancel) return;
    var id = readU32(frame, 12);
    var sub = subscribing.get(id);
    if (sub !== undefined) {
      subscribing.delete(id);
      if (kind === Kind.Response) subscribed.add(sub);
    }
    var p = pending.get(id);
    if (p && p.cellId === readU32(frame, 4) && p.methodId === readU32(frame, 8)) pending.delete(id);
  }

  inner.onFrame((frame, from) => {
    if (frame.length >= HEADER_SIZE) {
      var id = readU32(frame, 12);
      if (own.has(id) && (frame[2] & 15) !== Kind.Event) {
        own.delete(id);
        return; // the answer to a renewal: the endpoint never asked
      }
      settle(frame);
    }
    if (listener) (listener as (f: Uint8Array, from?: unknown) => void)(frame, from);
  });

  function renew(sub: string): void {
    var [cellId, eventId] = sub.split("/").map(Number);
    while (own.has(nextOwnId) || pending.has(nextOwnId)) nextOwnId--;
    var id = nextOwnId--;
    if (nextOwnId < 0x80000000) nextOwnId = 0xffffffff; // never reaches the host's ids in practice
    var frame = new Uint8Array(HEADER_SIZE + 4);
    encodeHeader(
      { kind: Kind.Request, flags: 0, codec: CodecId.Raw, cellId: cellId, methodId: MethodId.Subscribe, requestId: id, length: 4 },
      frame,
      0
    );
    writeU32(frame, HEADER_SIZE, eventId);
    if (own.size >= 256) own.clear(); // renewals a silent board never answered: forget them, bounded
    own.add(id);
    try {
      inner.send(frame);
    } catch {
      own.delete(id); // link closed: nothing to renew on
    }
  }

  var guard: RebootGuard = {
    get maxFrame() {
      return inner.maxFrame;
    },
    get stats() {
      return inner.stats;
    },
    get pending() {
      return pending.size;
    },
    get subscriptions() {
      return subscribed.size;
    },
    send(frame, to) {
      inner.send(frame, to);
      if (frame.length < HEADER_SIZE) return;
      var kind = frame[2] & 15;
      var cellId = readU32(frame, 4);
      // A CANCEL the host sent (timeout, abort) ends the call on the host side: stop tracking it.
      if (kind === Kind.Cancel) settle(frame);
      else if (kind === Kind.Request && exempt.indexOf(cellId) < 0) {
        var methodId = readU32(frame, 8);
        pending.set(readU32(frame, 12), { cellId: cellId, methodId: methodId, seq: ++seq });
        if (frame.length === HEADER_SIZE + 4 && (methodId === MethodId.Subscribe || methodId === MethodId.Unsubscribe)) {
          var sub = cellId + "/" + readU32(frame, HEADER_SIZE);
          if (methodId === MethodId.Subscribe) subscribing.set(readU32(frame, 12), sub);
          else subscribed.delete(sub);
        }
      }
    },
    onFrame(l) {
      listener = l;
    },
    onError(l) {
      inner.onError(l);
    },
    onClose(l) {
      inner.onClose(l);
    },
    close() {
      inner.close();
    },
    mark() {
      return seq;
    },
    failBefore(mark, reason) {
      var lost: [number, Pending][] = [];
      pending.forEach((p, id) => {
        if (p.seq <= mark) lost.push([id, p]);
      });
      for (var [id, p] of lost) {
        pending.delete(id);
        errorFrame.reset(HEADER_SIZE);
        writeErrorPayload(
          errorFrame,
          ErrorCode.Unreachable,
          reason + "; this request was lost with the old program (it will never be answered)"
        );
        var frame = errorFrame.buf.subarray(0, errorFrame.pos);
        encodeHeader(
          {
            kind: Kind.Error,
            flags: 0,
            codec: CodecId.Raw,
            cellId: p.cellId,
            methodId: p.methodId,
            requestId: id,
            length: errorFrame.pos - HEADER_SIZE
          },
          frame,
          0
        );
        if (listener) listener(frame);
      }
      subscribed.forEach(renew);
      return lost.length;
    }
  };
  return guard;
}

/** True when `link` is a RebootGuard (the loader client tells it about the resets it causes). */
export function isRebootGuard(link: Transport): link is RebootGuard {
  return typeof (link as RebootGuard).failBefore === "function" && typeof (link as RebootGuard).mark === "function";
}
