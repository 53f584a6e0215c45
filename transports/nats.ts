// A NATS link through the `nats` client (loaded only when used): one frame per message (datagram
// framing, checkDatagram on each), REQUESTs to a subject per cell with a queue group per cell,
// answers on the caller's reply subject, EVENTs and ANNOUNCEs published on subjects of their own.
// The subject scheme is in nats-subjects.ts and spec/transports.md.
import type { NatsConnection, Msg, Subscription } from "nats";
import type { Transport, Peer } from "../core/transport";
import { HEADER_SIZE, Kind, CodecId, MethodId, newHeader, encodeHeader, readU32 } from "../core/header";
import { checkDatagram } from "../core/datagram";
import { CellError, ErrorCode } from "../core/errors";
import { utf8Encode } from "../core/utf8";
import { LinkBase } from "./link-base";
import { loadOptional } from "./optional";
import { NatsSubjects, replySubject, parseReply, callerOf, hex8 } from "./nats-subjects";
import { NatsEventSubscriptions, EVENTS_PEER } from "./nats-events";

export interface NatsOptions {
  /** Server URL(s), e.g. "nats://127.0.0.1:4222". */
  servers: string | string[];
  /** Ids of the cells whose REQUESTs this link takes (more with serveCell()). */
  serve?: number[];
  /** First token of every subject (default "cell"). */
  prefix?: string;
  /** Hear ANNOUNCE frames (default true). */
  announce?: boolean;
  /** Largest frame (default 64 KiB + header, and at most the server's max_payload). */
  maxFrame?: number;
  /** Callers one event may have on this link before subscribing is refused with Overloaded (default 1024). */
  maxSubscribersPerEvent?: number;
  /** Connection name shown by the NATS server's monitoring. */
  name?: string;
}

/** The caller of a REQUEST: answers go to its reply subject. */
export interface NatsPeer extends Peer {
  readonly reply: string;
}

export interface NatsTransport extends Transport {
  readonly subjects: NatsSubjects;
  /** Ids of the cells served (whose REQUESTs this link takes). */
  readonly served: number[];
  /** Starts taking a cell's REQUESTs (queue group: instances of a cell share them); resolves once the server knows. */
  serveCell(cellId: number): Promise<void>;
  unserveCell(cellId: number): void;
  /** Resolves once the NATS server has processed everything sent so far (subscriptions included). */
  flush(): Promise<void>;
}

type NatsModule = typeof import("nats");

const DEFAULT_MAX_FRAME = 65536 + HEADER_SIZE;

class NatsLink extends LinkBase implements NatsTransport {
  readonly maxFrame: number;
  protected readonly label: string;
  readonly subjects: NatsSubjects;
  private readonly inbox: string;
  private servedSubs = new Map<number, Subscription[]>();
  /** This link's own subscriptions to event subjects, counted by the subscribe REQUESTs it sent. */
  private eventSubs = new Map<string, { sub: Subscription; count: number }>();
  private pendingSubscribes = new Map<string, string>(); // "cell/request" → event key, until answered
  private readonly control: NatsEventSubscriptions;
  private hdr = newHeader();

  constructor(
    private readonly nc: NatsConnection,
    nats: NatsModule,
    o: NatsOptions
  ) {
    super();
    this.subjects = new NatsSubjects(o.prefix || "cell");
    this.maxFrame = Math.min(o.maxFrame || DEFAULT_MAX_FRAME, nc.info ? nc.info.max_payload : DEFAULT_MAX_FRAME);
    this.label = "nats link to " + String(o.servers);
    this.control = new NatsEventSubscriptions(o.maxSubscribersPerEvent || 1024);
    this.inbox = nats.createInbox();
    nc.subscribe(this.inbox + ".>", { callback: (err, msg) => !err && this.answer(msg) });
    if (o.announce !== false)
      nc.subscribe(this.subjects.announce(), { callback: (err, msg) => !err && this.incoming(msg.data, undefined) });
    void nc.closed().then((err) => {
      if (this.closed) return;
      this.reportError(
        new CellError(ErrorCode.LinkClosed, `${this.label}: the connection ended${err ? ": " + err.message : ""}`, err || undefined)
      );
      this.finish();
    });
    void this.watchStatus();
  }

  get served(): number[] {
    return Array.from(this.servedSubs.keys());
  }

  async serveCell(cellId: number): Promise<void> {
    if (this.closed) throw new CellError(ErrorCode.LinkClosed, `${this.label} is closed`);
    if (!this.servedSubs.has(cellId >>> 0)) {
      const id = cellId >>> 0;
      const requests = this.nc.subscribe(this.subjects.request(id), {
        queue: this.subjects.queue(id),
        callback: (err, msg) => !err && this.request(msg)
      });
      const cancels = this.nc.subscribe(this.subjects.cancel(id), {
        callback: (err, msg) => !err && this.incoming(msg.data, this.peerOf(msg))
      });
      this.servedSubs.set(id, [requests, cancels]);
    }
    await this.nc.flush();
  }

  /** Stops taking requests for a cell. Drains rather than unsubscribes: requests NATS already routed here are still answered. */
  async unserveCell(cellId: number): Promise<void> {
    const subs = this.servedSubs.get(cellId >>> 0);
    if (!subs) return;
    this.servedSubs.delete(cellId >>> 0);
    await Promise.all(subs.map((s) => s.drain()));
    this.control.dropCell(cellId >>> 0);
  }

  flush(): Promise<void> {
    return this.nc.flush();
  }

  send(frame: Uint8Array, to?: Peer): void {
    this.checkSend(frame);
    const kind = frame[2] & 0x0f;
    const cellId = readU32(frame, 4);
    const methodId = readU32(frame, 8);
    const requestId = readU32(frame, 12);
    let subject: string;
    let reply: string | undefined;
    if (kind === Kind.Request || kind === Kind.Cancel) {
      subject = kind === Kind.Request ? this.subjects.request(cellId) : this.subjects.cancel(cellId);
      reply = replySubject(this.inbox, cellId, methodId, requestId);
      if (kind === Kind.Request) this.watchEvents(frame, cellId, methodId, requestId);
    } else if (kind === Kind.Response || kind === Kind.Error) {
      if (to === EVENTS_PEER) {
        const at = this.control.answered(cellId, methodId, requestId, kind === Kind.Response);
        if (at === null) throw new CellError(ErrorCode.Unreachable, `${this.label}: no caller waits for this answer`);
        subject = at;
      } else {
        const peer = to as NatsPeer | undefined;
        if (!peer || typeof peer.reply !== "string")
          throw new CellError(ErrorCode.Unreachable, `${this.label}: an answer needs the caller's peer (its reply subject)`);
        subject = peer.reply;
      }
    } else if (kind === Kind.Event) {
      subject = this.subjects.event(cellId, methodId); // one publish, however many listen
    } else {
      subject = this.subjects.announce();
    }
    // nats.js queues the bytes by reference until it flushes: copy, as the caller reuses its buffer.
    this.nc.publish(subject, new Uint8Array(frame), reply ? { reply } : undefined);
    this.countOut(frame.length);
  }

  close(): void {
    if (!this.finish()) return;
    void this.nc.close().catch(() => {});
  }

  private peerOf(msg: Msg): NatsPeer | undefined {
    return msg.reply ? { id: "nats:" + msg.reply, reply: msg.reply } : undefined;
  }

  private incoming(data: Uint8Array, from: Peer | undefined): void {
    if (this.closed || !checkDatagram(data, this.maxFrame, this.stats, this.hdr)) return;
    this.deliver(data, from);
  }

  /** A REQUEST for a served cell; subscribe/unsubscribe ones go through the event bookkeeping. */
  private request(msg: Msg): void {
    const data = msg.data;
    if (this.closed || !checkDatagram(data, this.maxFrame, this.stats, this.hdr)) return;
    const h = this.hdr;
    const isControl =
      h.kind === Kind.Request &&
      (h.methodId === MethodId.Subscribe || h.methodId === MethodId.Unsubscribe) &&
      h.codec === CodecId.Raw &&
      h.length === 4;
    if (!isControl || !msg.reply) {
      this.deliver(data, this.peerOf(msg));
      return;
    }
    const eventId = readU32(data, HEADER_SIZE);
    const action = this.control.request(
      h.methodId === MethodId.Subscribe,
      h.cellId,
      h.methodId,
      h.requestId,
      eventId,
      callerOf(msg.reply),
      msg.reply
    );
    if (action === "forward") this.deliver(data, EVENTS_PEER);
    else if (action === "answer") this.publishAnswer(msg.reply, Kind.Response, h.cellId, h.methodId, h.requestId, null);
    else
      this.publishAnswer(
        msg.reply,
        Kind.Error,
        h.cellId,
        h.methodId,
        h.requestId,
        `event ${hex8(eventId)} has too many subscribers on this link`
      );
  }

  /** An answer to one of our REQUESTs; a "no responders" status becomes that request's ERROR. */
  private answer(msg: Msg): void {
    if (this.closed) return;
    if (msg.data.length === 0 && msg.headers && msg.headers.code === 503) {
      const r = parseReply(msg.subject);
      if (!r) return;
      const frame = this.errorFrame(
        r.cellId,
        r.methodId,
        r.requestId,
        `no instance of cell ${hex8(r.cellId)} listens on NATS (no responders)`,
        ErrorCode.Unreachable
      );
      this.settleSubscribe(Kind.Error, frame);
      this.deliver(frame, undefined);
      return;
    }
    if (this.closed || !checkDatagram(msg.data, this.maxFrame, this.stats, this.hdr)) return;
    this.settleSubscribe(this.hdr.kind, msg.data);
    this.deliver(msg.data, undefined);
  }

  /** Our subscribe REQUEST: listen on the event subject now, so that no event is missed before the answer. */
  private watchEvents(frame: Uint8Array, cellId: number, methodId: number, requestId: number): void {
    if ((methodId !== MethodId.Subscribe && methodId !== MethodId.Unsubscribe) || frame.length !== HEADER_SIZE + 4) return;
    const key = this.subjects.event(cellId, readU32(frame, HEADER_SIZE));
    const held = this.eventSubs.get(key);
    if (methodId === MethodId.Unsubscribe) {
      if (held && --held.count === 0) {
        held.sub.unsubscribe();
        this.eventSubs.delete(key);
      }
      return;
    }
    if (held) held.count++;
    else
      this.eventSubs.set(key, {
        sub: this.nc.subscribe(key, { callback: (err, msg) => !err && this.incoming(msg.data, undefined) }),
        count: 1
      });
    this.pendingSubscribes.set(cellId + "/" + requestId, key);
  }

  /** The answer to one of our subscribe REQUESTs: an ERROR undoes its event subscription. */
  private settleSubscribe(kind: number, frame: Uint8Array): void {
    if (readU32(frame, 8) !== MethodId.Subscribe) return;
    const id = readU32(frame, 4) + "/" + readU32(frame, 12);
    const key = this.pendingSubscribes.get(id);
    if (key === undefined) return;
    this.pendingSubscribes.delete(id);
    const held = this.eventSubs.get(key);
    if (kind === Kind.Error && held && --held.count === 0) {
      held.sub.unsubscribe();
      this.eventSubs.delete(key);
    }
  }

  private publishAnswer(reply: string, kind: number, cellId: number, methodId: number, requestId: number, error: string | null): void {
    const frame =
      error === null
        ? this.header(kind, cellId, methodId, requestId, 0)
        : this.errorFrame(cellId, methodId, requestId, error, ErrorCode.Overloaded);
    this.nc.publish(reply, frame);
    this.countOut(frame.length);
  }

  private header(kind: number, cellId: number, methodId: number, requestId: number, length: number): Uint8Array {
    const frame = new Uint8Array(HEADER_SIZE + length);
    encodeHeader({ kind, flags: 0, codec: CodecId.Raw, cellId, methodId, requestId, length }, frame, 0);
    return frame;
  }

  /** An ERROR frame (payload: u8 code, then the message in UTF-8). */
  private errorFrame(cellId: number, methodId: number, requestId: number, message: string, code: number): Uint8Array {
    const text = utf8Encode(message);
    const frame = this.header(Kind.Error, cellId, methodId, requestId, 1 + text.length);
    frame[HEADER_SIZE] = code;
    frame.set(text, HEADER_SIZE + 1);
    return frame;
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect")
        this.reportError(new CellError(ErrorCode.Unreachable, `${this.label}: disconnected from ${String(s.data)}; reconnecting`));
      else if (s.type === "error") this.reportError(new Error(`${this.label}: ${String(s.data)}`));
    }
  }
}

/** Connects to NATS and takes the REQUESTs of `opts.serve` cells; rejects with a clear message when no server answers. */
export async function openNats(opts: NatsOptions): Promise<NatsTransport> {
  const nats = await loadOptional<NatsModule>("nats", "nats");
  let nc: NatsConnection;
  try {
    nc = await nats.connect({ servers: opts.servers, name: opts.name || "cell", timeout: 5000 });
  } catch (e) {
    throw new CellError(ErrorCode.Unreachable, `nats: cannot connect to ${String(opts.servers)}: ${(e as Error).message}`, e);
  }
  const link = new NatsLink(nc, nats, opts);
  for (const id of opts.serve || []) await link.serveCell(id);
  await link.flush();
  return link;
}
