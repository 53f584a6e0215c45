// Sending ISO-TP messages to one destination, one at a time in order: a single frame, or a first frame,
// then consecutive frames paced by the receiver's flow control (BS, STmin). A message to all (functional
// addressing) gets no flow control: its consecutive frames follow at the sender's own STmin.
import { CellError, ErrorCode } from "../../core/errors";
import { CanDrop } from "./errors";
import { FlowStatus, consecutiveFrame, firstFrame, fitsSingleFrame, singleFrame, stMinMs } from "./isotp";

export interface SenderOptions {
  /** 8 (classic CAN) or 64 (CAN FD). */
  txDl: number;
  /** How long to wait for a flow-control frame (N_Bs). */
  nBsMs: number;
  /** Flow-control WAITs accepted in a row before giving up (N_WFTmax). */
  maxWaits: number;
  /** Messages waiting behind the one being sent; beyond, send throws Overloaded. */
  maxQueued: number;
  /** Messages to all: no flow control; consecutive frames `functionalStMinMs` apart. */
  functional: boolean;
  functionalStMinMs: number;
  /** Names the destination in messages, e.g. "node 2". */
  label: string;
}

interface Job {
  message: Uint8Array;
  at: number;
  sn: number;
  waits: number;
}

export class IsoTpSender {
  private queue: Job[] = [];
  private job: Job | null = null;
  private waitingFc = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private o: SenderOptions,
    /** Puts one CAN frame's data on the bus; throws when the adapter cannot. */
    private sendFrame: (data: Uint8Array) => void,
    /** A message was given up: why (for the error listener) and the drop reason to count. */
    private failed: (err: Error, reason: string) => void
  ) {}

  /** Messages not yet fully sent, the one in progress included. */
  get pending(): number {
    return this.queue.length + (this.job ? 1 : 0);
  }

  /** Queues a copy of `message`; throws CellError(Overloaded) when too many wait. */
  enqueue(message: Uint8Array): void {
    if (this.queue.length >= this.o.maxQueued)
      throw new CellError(ErrorCode.Overloaded, `can: ${this.queue.length} messages already wait for ${this.o.label}`);
    this.queue.push({ message: message.slice(), at: 0, sn: 1, waits: 0 });
    if (!this.job) this.next();
  }

  /** A flow-control frame from the destination; false when none was expected (the caller counts it). */
  flowControl(fs: number, bs: number, stMin: number): boolean {
    const job = this.job;
    if (!job || !this.waitingFc) return false;
    this.waitingFc = false;
    this.clearTimer();
    if (fs === FlowStatus.Continue) {
      this.consecutive(job, bs, stMinMs(stMin));
    } else if (fs === FlowStatus.Wait) {
      if (++job.waits > this.o.maxWaits)
        this.fail(
          new CellError(ErrorCode.Overloaded, `can: ${this.o.label} asked to wait ${job.waits} times in a row; message dropped`),
          CanDrop.NoFlowControl
        );
      else this.awaitFc(job);
    } else {
      this.fail(
        new CellError(
          ErrorCode.TooLarge,
          `can: ${this.o.label} cannot take a ${job.message.length}-byte message (flow control: overflow); message dropped`
        ),
        CanDrop.NoFlowControl
      );
    }
    return true;
  }

  /** Gives up every message, the one in progress and those queued (bus-off, link closed); returns how many. */
  abortAll(): number {
    const n = this.pending;
    this.queue = [];
    this.job = null;
    this.waitingFc = false;
    this.clearTimer();
    return n;
  }

  /** Gives up the message in progress only (the adapter refused one of its frames). */
  abortCurrent(): boolean {
    if (!this.job) return false;
    this.job = null;
    this.waitingFc = false;
    this.clearTimer();
    this.later(() => this.next());
    return true;
  }

  private next(): void {
    while (!this.job && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const n = job.message.length;
      if (fitsSingleFrame(n, this.o.txDl)) {
        this.put(job, singleFrame(job.message, this.o.txDl));
        continue;
      }
      this.job = job;
      const ff = firstFrame(job.message, this.o.txDl);
      job.at = ff.taken;
      if (!this.put(job, ff.data)) continue;
      if (this.o.functional) this.consecutive(job, 0, this.o.functionalStMinMs);
      else this.awaitFc(job);
    }
  }

  /** Sends consecutive frames: a block of `bs` (0: all), `gapMs` apart (0: back to back). */
  private consecutive(job: Job, bs: number, gapMs: number): void {
    let left = bs;
    const step = (): void => {
      this.timer = null;
      if (this.job !== job) return;
      do {
        const cf = consecutiveFrame(job.message, job.at, job.sn, this.o.txDl);
        job.at += cf.taken;
        job.sn = (job.sn + 1) & 15;
        if (!this.put(job, cf.data)) return;
        if (job.at >= job.message.length) {
          this.job = null;
          return this.next();
        }
        if (bs > 0 && --left === 0) return this.awaitFc(job);
      } while (gapMs === 0);
      this.timer = setTimeout(step, gapMs);
    };
    step();
  }

  private awaitFc(job: Job): void {
    this.waitingFc = true;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.job !== job) return;
      this.fail(
        new CellError(
          ErrorCode.Unreachable,
          `can: no flow control from ${this.o.label} within ${this.o.nBsMs} ms (N_Bs); a ${job.message.length}-byte message was dropped`
        ),
        CanDrop.NoFlowControl
      );
    }, this.o.nBsMs);
  }

  /** Sends one frame of `job`; on an adapter error the message is given up. */
  private put(job: Job, data: Uint8Array): boolean {
    try {
      this.sendFrame(data);
      return true;
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.job = job; // so that fail() names and ends it
      this.fail(new CellError(ErrorCode.Unreachable, `can: could not send to ${this.o.label}: ${err.message}`, err), CanDrop.BusError);
      return false;
    }
  }

  private fail(err: Error, reason: string): void {
    this.job = null;
    this.waitingFc = false;
    this.clearTimer();
    this.failed(err, reason);
    this.later(() => this.next());
  }

  private later(fn: () => void): void {
    setTimeout(fn, 0);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
