// One QUIC connection as a link end: frames back to back on streams, delimited by the header's
// length (spec/wire-format.md §3.3). Frames are read from every bidirectional stream of the
// connection, each with its own decoder; they are written on one stream, the first the connection
// has (the peer's, or one opened here on the first send). A stream whose decoder fails is closed.
import type { QuinnConnection, QuinnStream } from "./quic-quinn";
import type { Peer } from "../core/transport";
import type { LinkStats } from "../core/drops";
import { HEADER_SIZE } from "../core/header";
import { DropReason, countDrop } from "../core/drops";
import { DelimitedDecoder } from "../core/delimited";
import { CellError, ErrorCode } from "../core/errors";

export interface QuicPeer extends Peer {
  readonly address: string;
  readonly port: number;
}

export interface ConnectionOwner {
  readonly maxFrame: number;
  readonly stats: LinkStats;
  readonly maxQueuedBytes: number;
  /** `from` is the peer on a server, undefined on a client (it has one peer). */
  received(frame: Uint8Array, from: QuicPeer | undefined): void;
  streamFailed(err: Error): void;
}

/** Largest read asked of the stack at once. */
const READ_CHUNK = 65536;

export class QuicConnectionEnd {
  private sendStream: Promise<QuinnStream> | null = null;
  /** The stream sendStream resolved to, once it has. */
  private sendResolved: QuinnStream | null = null;
  /** Frames waiting for the write in progress; the stack's writes must not overlap. */
  private pending: Uint8Array[] = [];
  private writing = false;
  private queued = 0;
  private closed = false;
  /** Bytes read from the peer on any stream: a server that refuses a client closes before sending any. */
  bytesIn = 0;

  constructor(
    readonly connection: QuinnConnection,
    readonly peer: QuicPeer,
    private readonly owner: ConnectionOwner,
    private readonly isServer: boolean
  ) {}

  /** Takes the peer's streams as they come, until the connection ends. */
  async acceptStreams(): Promise<void> {
    while (!this.closed) {
      let stream: QuinnStream;
      try {
        stream = await this.connection.inboundStream();
      } catch {
        return; // the connection ended
      }
      if (!this.sendStream && !this.closed) {
        this.sendStream = Promise.resolve(stream);
        this.sendResolved = stream;
      }
      void this.read(stream);
    }
  }

  write(frame: Uint8Array): void {
    if (this.closed) throw new CellError(ErrorCode.Unreachable, `${this.peer.id}: the connection is closed`);
    if (this.queued + frame.length > this.owner.maxQueuedBytes) {
      throw new CellError(ErrorCode.Overloaded, `${this.peer.id}: ${this.queued} bytes already wait to be sent`);
    }
    if (!this.sendStream) this.openSendStream();
    this.pending.push(new Uint8Array(frame)); // written later; the caller reuses its buffer
    this.queued += frame.length;
    if (!this.writing) void this.pump();
  }

  close(): void {
    this.closed = true;
    this.sendStream = null;
    this.sendResolved = null;
    this.pending = [];
    this.queued = 0;
  }

  private openSendStream(): void {
    const opened = this.connection.outboundStream();
    this.sendStream = opened;
    this.sendResolved = null;
    opened.then(
      (s) => {
        if (this.sendStream === opened) this.sendResolved = s;
        void this.read(s); // the answers come back on it
      },
      () => {}
    );
  }

  /** Writes what is pending, joined, one write at a time. */
  private async pump(): Promise<void> {
    this.writing = true;
    while (this.pending.length && !this.closed) {
      const parts = this.pending;
      this.pending = [];
      const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      const opening = this.sendStream!;
      try {
        await (await opening).write(bytes);
      } catch (err) {
        if (this.sendStream === opening) {
          this.sendStream = null; // the next frame opens a new stream
          this.sendResolved = null;
        }
        if (!this.closed)
          this.owner.streamFailed(
            new CellError(ErrorCode.Unreachable, `${this.peer.id}: ${parts.length} frame(s) lost with their stream: ${describe(err)}`, err)
          );
      }
      this.queued = Math.max(0, this.queued - bytes.length);
      if (!this.sendStream && this.pending.length && !this.closed) this.openSendStream();
    }
    this.writing = false;
  }

  private async read(stream: QuinnStream): Promise<void> {
    const decoder = new DelimitedDecoder(this.owner.maxFrame, this.owner.stats);
    const from = this.isServer ? this.peer : undefined;
    const deliver = (frame: Uint8Array) => this.owner.received(frame, from);
    try {
      for (;;) {
        const chunk = await stream.read(READ_CHUNK);
        if (!chunk) break;
        this.bytesIn += chunk.length;
        decoder.feed(chunk, deliver);
        if (decoder.failed) {
          // No delimiter to find the next frame by: the stream is useless now (§3.3).
          if (this.sendResolved === stream) {
            this.sendStream = null;
            this.sendResolved = null;
          }
          await Promise.all([stream.stopRead(), stream.resetWrite()]).catch(() => {});
          return;
        }
      }
      // The stream ended inside a frame: that frame was cut short.
      if (decoder.buffered > 0) countDrop(this.owner.stats, decoder.buffered < HEADER_SIZE ? DropReason.TooShort : DropReason.BadLength);
    } catch {
      // Reset by the peer or closed with the connection: nothing more to read.
    }
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
