// A BytePort over a medium that may disappear and come back (a USB adapter unplugged, an emulator
// restarted): it reopens with exponential backoff, and refuses writes while the medium is away.
import type { BytePort } from "../core/byte-port";
import { CellError, ErrorCode } from "../core/errors";
import type { Medium, OpenMedium } from "./medium";

export interface ReconnectOptions {
  /** First delay after a loss, in ms (default 100); doubled after each failed attempt. */
  minDelayMs?: number;
  /** Longest delay between attempts, in ms (default 5000). */
  maxDelayMs?: number;
}

/** A lone delimiter: ends whatever partial frame a loss cut off, so that it is dropped alone. */
const DELIMITER = new Uint8Array([0]);

export class ReconnectingPort implements BytePort {
  private medium: Medium | null = null;
  private dataCb: ((bytes: Uint8Array) => void) | null = null;
  private closeCb: (() => void) | null = null;
  private errorCb: ((e: Error) => void) | null = null;
  private statusListeners: ((up: boolean) => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delay: number;
  private closed = false;
  /** Counts the media opened, so that events of an old one are ignored. */
  private generation = 0;

  constructor(
    private readonly label: string,
    private readonly open: OpenMedium,
    private readonly reconnect: ReconnectOptions | null,
    /** Told after the port fed its own delimiter to the reader (the owner un-counts that byte). */
    private readonly onCut?: () => void
  ) {
    this.delay = this.minDelay();
  }

  get connected(): boolean {
    return this.medium !== null;
  }

  /** Opens the medium the first time; rejects with the medium's own message (missing, busy, refused). */
  async start(): Promise<void> {
    await this.attach();
  }

  write(bytes: Uint8Array): void {
    if (!this.medium) {
      throw new CellError(
        ErrorCode.Unreachable,
        this.closed ? `${this.label} is closed` : `${this.label} is disconnected${this.reconnect ? " (reconnecting)" : ""}`
      );
    }
    this.medium.write(bytes);
  }

  onData(cb: (bytes: Uint8Array) => void): void {
    this.dataCb = cb;
  }

  onClose(cb: () => void): void {
    this.closeCb = cb;
  }

  onError(cb: (e: Error) => void): void {
    this.errorCb = cb;
  }

  /** Adds a listener told each time the medium goes away (false) or is back (true); returns its remover. */
  onStatus(listener: (up: boolean) => void): () => void {
    this.statusListeners.push(listener);
    return () => {
      const i = this.statusListeners.indexOf(listener);
      if (i >= 0) this.statusListeners.splice(i, 1);
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const m = this.medium;
    this.medium = null;
    this.generation++;
    if (m) m.close();
  }

  private minDelay(): number {
    return (this.reconnect && this.reconnect.minDelayMs) || 100;
  }

  private async attach(): Promise<void> {
    const generation = ++this.generation;
    const medium = await this.open({
      data: (bytes) => {
        if (generation === this.generation && this.dataCb) this.dataCb(bytes);
      },
      lost: (err) => {
        if (generation === this.generation) this.lost(err);
      }
    });
    if (this.closed || generation !== this.generation) {
      medium.close(); // closed while opening
      return;
    }
    this.medium = medium;
    this.delay = this.minDelay();
  }

  private setStatus(up: boolean): void {
    for (const listener of this.statusListeners.slice()) listener(up);
  }

  private lost(err: Error | null): void {
    this.medium = null;
    if (this.dataCb) {
      this.dataCb(DELIMITER);
      if (this.onCut) this.onCut();
    }
    const why = err ? `: ${err.message}` : "";
    if (!this.reconnect) {
      if (this.errorCb) this.errorCb(new CellError(ErrorCode.LinkClosed, `${this.label} went away${why}`, err || undefined));
      this.closed = true;
      if (this.closeCb) this.closeCb();
      return;
    }
    if (this.errorCb) this.errorCb(new CellError(ErrorCode.Unreachable, `${this.label} went away${why}; reconnecting`, err || undefined));
    this.setStatus(false);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, (this.reconnect && this.reconnect.maxDelayMs) || 5000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attach().then(
        () => {
          if (!this.medium) return; // closed meanwhile
          this.medium.write(DELIMITER); // clears whatever the other end buffered while we were away
          this.setStatus(true);
        },
        () => this.schedule() // still away: try again later, without an error per attempt
      );
    }, wait);
  }
}
