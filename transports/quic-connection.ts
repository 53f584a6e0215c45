// One QUIC connection as a link end: frames back to back on streams, delimited by the header's
// length (spec/wire-format.md §3.3). Frames are read from every bidirectional stream of the
// connection, each with its own decoder; they are written on one stream, the first the connection
// has (the peer's, or one opened here on the first send). A stream whose decoder fails is closed.
import type { QUICConnection, QUICStream } from "@matrixai/quic";
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

/** Code sent with STOP_SENDING/RESET_STREAM when a stream is closed for bad bytes. */
const BAD_STREAM = 1;

export class QuicConnectionEnd {
  private sendStream: QUICStream | null = null;
  private writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private queued = 0;
  private closed = false;

  constructor(
    readonly connection: QUICConnection,
    readonly peer: QuicPeer,
    private readonly owner: ConnectionOwner,
    private readonly isServer: boolean
  ) {}

  /** Reads a stream until it ends or fails; the first stream seen becomes the one written on. */
  adopt(stream: QUICStream): void {
    if (!this.sendStream && !this.closed) this.use(stream);
    void this.read(stream);
  }

  write(frame: Uint8Array): void {
    if (this.closed) throw new CellError(ErrorCode.Unreachable, `${this.peer.id}: the connection is closed`);
    if (this.queued + frame.length > this.owner.maxQueuedBytes) {
      throw new CellError(ErrorCode.Overloaded, `${this.peer.id}: ${this.queued} bytes already wait to be sent`);
    }
    if (!this.writer) {
      const opened = this.connection.newStream("bidi");
      this.use(opened);
      void this.read(opened); // the answers come back on it
    }
    const stream = this.sendStream!;
    const copy = new Uint8Array(frame); // written later; the caller reuses its buffer
    this.queued += copy.length;
    this.writer!.write(copy).then(
      () => {
        this.queued -= copy.length;
      },
      (err) => {
        this.queued -= copy.length;
        this.dropSendStream(stream);
        if (!this.closed)
          this.owner.streamFailed(
            new CellError(ErrorCode.Unreachable, `${this.peer.id}: a frame was lost with its stream: ${describe(err)}`, err)
          );
      }
    );
  }

  close(): void {
    this.closed = true;
    this.sendStream = null;
    this.writer = null;
  }

  private use(stream: QUICStream): void {
    this.sendStream = stream;
    this.writer = stream.writable.getWriter();
    this.writer.closed.catch(() => this.dropSendStream(stream));
  }

  /** The stream failed: the next frame opens a new one. */
  private dropSendStream(stream: QUICStream): void {
    if (this.sendStream !== stream) return;
    this.sendStream = null;
    this.writer = null;
  }

  private async read(stream: QUICStream): Promise<void> {
    const decoder = new DelimitedDecoder(this.owner.maxFrame, this.owner.stats);
    const from = this.isServer ? this.peer : undefined;
    const deliver = (frame: Uint8Array) => this.owner.received(frame, from);
    const reader = stream.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        decoder.feed(value, deliver);
        if (decoder.failed) {
          // No delimiter to find the next frame by: the stream is useless now (§3.3).
          this.dropSendStream(stream);
          try {
            stream.cancel(BAD_STREAM);
          } catch {
            // already shut by the peer
          }
          return;
        }
      }
      // The stream ended inside a frame: that frame was cut short.
      if (decoder.buffered > 0) countDrop(this.owner.stats, decoder.buffered < HEADER_SIZE ? DropReason.TooShort : DropReason.BadLength);
    } catch {
      // Reset by the peer or closed with the connection: nothing more to read.
    } finally {
      reader.releaseLock();
    }
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
