// The context a handler gets with each request: who asked, whether the caller gave up, and `defer`
// for answering later in callback style.
import type { Peer } from "../transport";
import type { Codec } from "../codec";
import type { MemberInfo } from "../schema";
import type { Endpoint, InFlightRequest } from "./endpoint";

/** `done(err)` answers with an ERROR, `done(null, res)` with the response; later calls are ignored. */
export type Done<Res> = (err: unknown, res?: Res) => void;

export interface CallContext<Res = unknown> {
  readonly peer: Peer | undefined;
  readonly requestId: number;
  /** The method's name in the cell. */
  readonly method: string;
  /** True once the caller cancelled (or timed out, or the link closed): the answer will be dropped. */
  readonly cancelled: boolean;
  /** Says the handler answers later through the returned function; its return value is then ignored. */
  defer(): Done<Res>;
  /** Runs `cb` when the request is cancelled (at once if it already is). */
  onCancel(cb: () => void): void;
}

/** How a ServedCall's answer is sent (the serving side's business); `cancelled`: nothing is to be sent. */
export type Responder = (call: ServedCall, err: unknown, res: unknown, cancelled: boolean) => void;

export class ServedCall implements CallContext<any>, InFlightRequest {
  cancelled = false;
  deferred = false;
  key = "";
  private settled = false;
  private cancelListeners: (() => void)[] = [];

  constructor(
    readonly ep: Endpoint,
    readonly respond: Responder,
    readonly codec: Codec,
    readonly info: MemberInfo,
    readonly requestId: number,
    readonly peer: Peer | undefined,
    readonly method: string
  ) {}

  defer(): Done<any> {
    var self = this;
    this.deferred = true;
    return function (err: unknown, res?: unknown) {
      self.answer(err, res);
    };
  }

  onCancel(cb: () => void): void {
    if (this.cancelled) this.ep.safely(cb);
    else if (!this.settled) this.cancelListeners.push(cb);
  }

  answer(err: unknown, res: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.ep.endServed(this.key, this);
    this.cancelListeners = [];
    this.respond(this, err, res, false);
  }

  /** The caller gave up (CANCEL, a reused id, the link closed): drop the answer, tell the handler. */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.cancelled = true;
    this.ep.endServed(this.key, this);
    this.respond(this, null, undefined, true);
    var list = this.cancelListeners;
    this.cancelListeners = [];
    for (var i = 0; i < list.length; i++) this.ep.safely(list[i]);
  }
}
