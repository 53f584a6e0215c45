// What every host transport shares: listeners, stats, the send checks and the close-once rule.
import type { Peer } from "../core/transport";
import { HEADER_SIZE } from "../core/header";
import { newLinkStats } from "../core/drops";
import { CellError, ErrorCode } from "../core/errors";

export type FrameListener = (frame: Uint8Array, from?: Peer) => void;

export abstract class LinkBase {
  readonly stats = newLinkStats();
  abstract readonly maxFrame: number;
  private frameListener: FrameListener | null = null;
  private errorListener: ((err: Error) => void) | null = null;
  private closeListeners: (() => void)[] = [];
  private isClosed = false;

  /** A name for messages, e.g. "udp 127.0.0.1:7420". */
  protected abstract readonly label: string;

  get closed(): boolean {
    return this.isClosed;
  }

  onFrame(listener: FrameListener): void {
    this.frameListener = listener;
  }

  onError(listener: (err: Error) => void): void {
    this.errorListener = listener;
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  /** Throws what a refused send throws: LinkClosed, TooLarge, or RangeError for a frame shorter than a header. */
  protected checkSend(frame: Uint8Array): void {
    if (this.isClosed) throw new CellError(ErrorCode.LinkClosed, this.label + " is closed");
    if (frame.length > this.maxFrame)
      throw new CellError(ErrorCode.TooLarge, "frame of " + frame.length + " bytes exceeds the link's " + this.maxFrame);
    if (frame.length < HEADER_SIZE) throw new RangeError(this.label + ": a frame is at least the " + HEADER_SIZE + "-byte header");
  }

  protected countOut(bytesOnMedium: number): void {
    this.stats.framesOut++;
    this.stats.bytesOut += bytesOnMedium;
  }

  /** Hands a checked frame to the listener. A throwing listener must not break the socket's loop: its error goes to onError. */
  protected deliver(frame: Uint8Array, from?: Peer): void {
    if (this.isClosed || !this.frameListener) return;
    try {
      this.frameListener(frame, from);
    } catch (e) {
      if (!this.errorListener) throw e;
      this.errorListener(e instanceof Error ? e : new Error(String(e)));
    }
  }

  protected reportError(err: Error): void {
    if (this.errorListener) this.errorListener(err);
  }

  /** Marks the link closed and calls the close listeners once; returns false when it already was. */
  protected finish(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    const list = this.closeListeners;
    this.closeListeners = [];
    for (const listener of list) listener();
    return true;
  }
}
