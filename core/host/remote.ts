// remote(): a cell on a link as an object with one Promise-returning method per cell method, fully
// typed from the schema. Built on the callback client (core/rpc/client.ts).
import type { Transport, Peer } from "../transport";
import type { CellDef, Members, MethodNames, EventNames, ReqOf, ResOf, EventOf } from "../schema";
import { CellError, ErrorCode } from "../errors";
import { connect, Client, CallOptions, ConnectOptions } from "../rpc/client";
import { hostEndpoint } from "./defaults";

export interface RemoteCallOptions extends CallOptions {
  /** Aborting cancels the call: a CANCEL is sent and the Promise rejects with CellError(Cancelled). */
  signal?: AbortSignal;
  /** Idempotent methods only: how many times a call that timed out is sent again (default 0; the
   * remote's `retries` option sets the default). A link that loses frames then costs time, not answers. */
  retries?: number;
}

export interface RemoteOptions extends ConnectOptions {
  /** Default `retries` of idempotent calls (default 0). */
  retries?: number;
  /** Told about each resend (for counting). */
  onRetry?: (method: string, attempt: number) => void;
}

export type RemoteMethods<M extends Members> = {
  [K in MethodNames<M>]: (req: ReqOf<M[K]>, opts?: RemoteCallOptions) => Promise<ResOf<M[K]>>;
};

export interface RemoteControl<M extends Members> {
  /** Listens to an event; resolves once the server confirmed the subscription (safe to ignore). */
  on<E extends EventNames<M>>(name: E, listener: (value: EventOf<M[E]>, from?: Peer) => void): Promise<void>;
  off<E extends EventNames<M>>(name: E, listener: (value: EventOf<M[E]>, from?: Peer) => void): void;
  /** The server's canonical schema text (compare with `cell.schema` to see whether both sides agree). */
  describe(opts?: { timeoutMs?: number }): Promise<string>;
  /** Unsubscribes this remote's listeners and rejects its calls in flight; the link stays open. */
  close(): void;
}

export type Remote<M extends Members> = RemoteMethods<M> & RemoteControl<M>;

/** Method names that would hide the control methods (or make the object look like a Promise). */
var RESERVED = ["on", "off", "describe", "close", "then"];

function settle<V>(resolve: (v: V) => void, reject: (e: unknown) => void) {
  return function (err: CellError | null, value?: V) {
    if (err) reject(err);
    else resolve(value as V);
  };
}

export function remote<M extends Members>(cell: CellDef<M>, link: Transport, opts?: RemoteOptions): Remote<M> {
  for (const name in cell.info) {
    if (cell.info[name].def.kind === "method" && RESERVED.indexOf(name) >= 0) {
      throw new Error(`remote ${cell.name}: a method named "${name}" clashes with remote's own; use connect() for this cell`);
    }
  }
  hostEndpoint(link, opts);
  const client = connect(cell, link, opts) as unknown as Client<Members>;
  const out: Record<string, unknown> = {};

  const call = (name: string, req: unknown, callOpts?: RemoteCallOptions): Promise<unknown> => {
    const def = cell.info[name].def as { idempotent?: boolean };
    const retries = def.idempotent ? (callOpts && callOpts.retries !== undefined ? callOpts.retries : (opts && opts.retries) || 0) : 0;
    const attempt = (n: number): Promise<unknown> =>
      once(name, req, callOpts).catch((e) => {
        const aborted = callOpts && callOpts.signal && callOpts.signal.aborted;
        if (n >= retries || aborted || !(e instanceof CellError) || e.code !== ErrorCode.TimedOut) throw e;
        if (opts && opts.onRetry) opts.onRetry(name, n + 1);
        return attempt(n + 1);
      });
    return attempt(0);
  };

  const once = (name: string, req: unknown, callOpts?: RemoteCallOptions): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const signal = callOpts && callOpts.signal;
      if (signal && signal.aborted) {
        reject(new CellError(ErrorCode.Cancelled, `${cell.name}.${name} was cancelled before it was sent`));
        return;
      }
      const onAbort = () => handle.cancel();
      const handle = client.call(
        name as never,
        req as never,
        (err, res) => {
          if (signal) signal.removeEventListener("abort", onAbort);
          settle(resolve, reject)(err, res);
        },
        callOpts
      );
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
    });

  for (const name in cell.info) {
    if (cell.info[name].def.kind !== "method") continue;
    // defineProperty: a method may be named like an Object.prototype member, even __proto__.
    Object.defineProperty(out, name, {
      enumerable: true,
      value: (req: unknown, callOpts?: RemoteCallOptions) => call(name, req, callOpts)
    });
  }

  const control: RemoteControl<Members> = {
    on(name, listener) {
      const p = new Promise<void>((resolve, reject) => client.on(name as never, listener, settle(resolve, reject)));
      p.catch(() => {}); // callers may ignore the subscription's outcome without an unhandled rejection
      return p;
    },
    off(name, listener) {
      client.off(name as never, listener);
    },
    describe(describeOpts) {
      return new Promise((resolve, reject) => client.describe(settle(resolve, reject), describeOpts));
    },
    close() {
      client.close();
    }
  };
  return Object.assign(out, control) as unknown as Remote<M>;
}
