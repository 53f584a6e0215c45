// Reassembly of one sender's ISO-TP messages (one per CAN id: a (node, peer) pair or a node's messages
// to all). Memory is bounded: a first frame announcing more than maxMessage bytes is refused with an
// overflow flow control before anything is allocated. A lost consecutive frame (wrong sequence number
// or N_Cr timeout) drops the whole message, counted; a wrong message is never delivered.
import { DropReason } from "../../core/drops";
import { CanDrop } from "./errors";
import { FlowStatus, flowControl, Pci } from "./isotp";

export interface ReceiverOptions {
  /** The largest message accepted (the link's maxFrame). */
  maxMessage: number;
  /** BS asked of the sender: consecutive frames per block, 0 for no further flow control. */
  blockSize: number;
  /** STmin byte asked of the sender. */
  stMin: number;
  /** How long to wait for the next consecutive frame (N_Cr). */
  nCrMs: number;
}

export class IsoTpReceiver {
  private buf: Uint8Array | null = null;
  private got = 0;
  private sn = 0;
  private blockLeft = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private o: ReceiverOptions,
    /** Sends a flow-control frame to the sender, or null when messages come to all (no flow control). */
    private sendFc: ((data: Uint8Array) => void) | null,
    private deliver: (message: Uint8Array) => void,
    private drop: (reason: string) => void
  ) {}

  get busy(): boolean {
    return this.buf !== null;
  }

  frame(pci: Pci): void {
    if (pci.type === "SF") {
      this.interrupt();
      this.deliver(pci.data);
    } else if (pci.type === "FF") {
      this.interrupt();
      this.first(pci.length, pci.data);
    } else if (pci.type === "CF") {
      this.consecutive(pci.sn, pci.data);
    }
  }

  close(): void {
    this.reset();
  }

  /** A new SF or FF while a message was being received: that message is lost (ISO 15765-2 says so too). */
  private interrupt(): void {
    if (!this.buf) return;
    this.reset();
    this.drop(CanDrop.UnexpectedFrame);
  }

  private first(length: number, data: Uint8Array): void {
    if (length > this.o.maxMessage) {
      if (this.sendFc) this.sendFc(flowControl(FlowStatus.Overflow, 0, 0));
      this.drop(DropReason.TooLong);
      return;
    }
    this.buf = new Uint8Array(length);
    this.got = Math.min(length, data.length);
    this.buf.set(data.subarray(0, this.got));
    this.sn = 1;
    this.blockLeft = this.o.blockSize;
    this.arm();
    if (this.sendFc) this.sendFc(flowControl(FlowStatus.Continue, this.o.blockSize, this.o.stMin));
  }

  private consecutive(sn: number, data: Uint8Array): void {
    const buf = this.buf;
    if (!buf) return this.drop(CanDrop.UnexpectedFrame);
    if (sn !== this.sn) {
      this.reset();
      return this.drop(CanDrop.BadSequence);
    }
    const take = Math.min(buf.length - this.got, data.length);
    if (take === 0) {
      this.reset();
      return this.drop(DropReason.BadLength);
    }
    buf.set(data.subarray(0, take), this.got);
    this.got += take;
    this.sn = (this.sn + 1) & 15;
    if (this.got === buf.length) {
      this.reset();
      this.deliver(buf);
      return;
    }
    this.arm();
    if (this.o.blockSize > 0 && --this.blockLeft === 0) {
      this.blockLeft = this.o.blockSize;
      if (this.sendFc) this.sendFc(flowControl(FlowStatus.Continue, this.o.blockSize, this.o.stMin));
    }
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.buf = null;
      this.drop(CanDrop.ReceiveTimeout);
    }, this.o.nCrMs);
  }

  private reset(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.buf = null;
  }
}
