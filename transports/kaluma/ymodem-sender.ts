// The sending side of one YMODEM batch with a single file, as a state machine fed with the receiver's
// bytes: waits for "C", sends block 0 (name, size), waits for "C" again, sends the data blocks one at
// a time on ACK (again on NAK or "C", Kaluma's receiver asks with "C" after a bad block), then EOT until
// it is ACKed (lrzsz NAKs the first), and the empty block 0 on the next "C". Two CANs in a row cancel.
import { ACK, CAN, CRC_REQUEST, EOT, NAK, dataBlockCount, dataPacket, endOfBatchPacket, headerPacket } from "./ymodem";

export type YmodemErrorCode = "ReceiverCancelled" | "ReceiverSilent" | "TooManyRetries" | "Aborted";

export class YmodemError extends Error {
  constructor(
    message: string,
    readonly code: YmodemErrorCode,
    /** The block being sent (0: the header, -1: EOT and after). */
    readonly block: number,
    /** Data bytes the receiver had acknowledged. */
    readonly acked: number,
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.name = "YmodemError";
  }
}

export interface YmodemSendOptions {
  write(bytes: Uint8Array): void;
  name: string;
  data: Uint8Array;
  /** How long to wait for the receiver's first "C" (ms, default 60000). */
  startTimeoutMs?: number;
  /** How long to wait for the answer to a packet before sending it again (ms, default 10000). */
  ackTimeoutMs?: number;
  /** Sends of one packet (or waits for one "C") before giving up (default 10). */
  maxTries?: number;
  /** Data bytes acknowledged so far, after each ACKed block. */
  onProgress?(acked: number, total: number): void;
}

export interface YmodemSent {
  bytes: number;
  blocks: number;
  /** Packets sent again after a NAK, a "C" or a timeout. */
  resent: number;
  /** From the first "C" to the last ACK. */
  ms: number;
  /** From the first data block sent to its last ACK: the part that moves the file. */
  dataMs: number;
}

export interface YmodemTransfer {
  /** The receiver's bytes; returns how many it used (none once the batch is over: the rest is console text). */
  feed(bytes: Uint8Array): number;
  /** Ends the transfer unless it succeeded: sends CAN CAN (so the receiver stops too) and rejects `done`. */
  abort(reason: string | Error): void;
  readonly done: Promise<YmodemSent>;
}

type Phase = "start" | "header" | "dataStart" | "data" | "eot" | "endStart" | "end" | "over";

export function sendYmodem(o: YmodemSendOptions): YmodemTransfer {
  var startTimeout = o.startTimeoutMs || 60000;
  var ackTimeout = o.ackTimeoutMs || 10000;
  var maxTries = o.maxTries || 10;
  var blocks = dataBlockCount(o.data.length);
  var phase: Phase = "start";
  var block = 0; // the data block in flight (1-based)
  var packet: Uint8Array | null = null;
  var tries = 0;
  var resent = 0;
  var lastWasCan = false;
  var acked = 0;
  var succeeded = false;
  var timer: ReturnType<typeof setTimeout> | null = null;
  var started = Date.now();
  var dataStarted = 0;
  var dataMs = 0;
  var resolveDone!: (s: YmodemSent) => void;
  var rejectDone!: (e: Error) => void;
  var done = new Promise<YmodemSent>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  function where(): number {
    return phase === "start" || phase === "header" ? 0 : phase === "dataStart" || phase === "data" ? Math.max(block, 1) : -1;
  }
  function fail(message: string, code: YmodemErrorCode, cause?: unknown): void {
    if (phase === "over") return;
    var err = new YmodemError(message, code, where(), acked, cause === undefined ? undefined : { cause });
    phase = "over";
    if (timer) clearTimeout(timer);
    rejectDone(err);
  }
  function arm(ms: number, onTimeout: () => void): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onTimeout, ms);
  }
  function what(): string {
    return phase === "header"
      ? "block 0 (name and size)"
      : phase === "data"
        ? `block ${block} of ${blocks}`
        : phase === "eot"
          ? "EOT"
          : "the closing block 0";
  }
  function send(p: Uint8Array, again: boolean): void {
    if (again) {
      if (++tries > maxTries) return fail(`the receiver did not take ${what()} after ${maxTries} tries`, "TooManyRetries");
      resent++;
    } else tries = 1;
    packet = p;
    o.write(p);
    arm(ackTimeout, () => send(p, true));
  }
  function waitForC(next: Phase, onTimeout: () => void): void {
    phase = next;
    tries = 0;
    arm(ackTimeout, onTimeout);
  }
  function sendBlock(n: number): void {
    if (n === 1) dataStarted = Date.now();
    phase = "data";
    block = n;
    send(dataPacket(o.data, n), false);
  }
  function sendEot(): void {
    phase = "eot";
    send(new Uint8Array([EOT]), false);
  }
  function sendEnd(): void {
    phase = "end";
    send(endOfBatchPacket(), false);
  }
  function afterHeaderTimeout(): void {
    // The ACK came but not the "C" (or it was lost): the receiver asks again after its own timeout.
    if (++tries >= maxTries) fail(`the receiver took block 0 but asked for no data within ${maxTries * ackTimeout} ms`, "ReceiverSilent");
    else arm(ackTimeout, afterHeaderTimeout);
  }

  function onByte(b: number): void {
    switch (phase) {
      case "start":
        if (b === CRC_REQUEST) {
          started = Date.now();
          phase = "header";
          send(headerPacket(o.name, o.data.length), false);
        }
        return;
      case "header":
        if (b === ACK) waitForC("dataStart", afterHeaderTimeout);
        else if (b === NAK || b === CRC_REQUEST) send(packet!, true);
        return;
      case "dataStart":
        if (b === CRC_REQUEST) {
          if (blocks > 0) sendBlock(1);
          else sendEot();
        }
        return;
      case "data":
        if (b === ACK) {
          acked = Math.min(o.data.length, block * 1024);
          if (o.onProgress) o.onProgress(acked, o.data.length);
          if (block < blocks) sendBlock(block + 1);
          else {
            dataMs = Date.now() - dataStarted;
            sendEot();
          }
        } else if (b === NAK || b === CRC_REQUEST) send(packet!, true);
        return;
      case "eot":
        if (b === ACK)
          waitForC("endStart", sendEnd); // no "C" in time: send it anyway
        else if (b === NAK) send(packet!, true);
        return;
      case "endStart":
        if (b === CRC_REQUEST || b === NAK) sendEnd();
        return;
      case "end":
        if (b === ACK) {
          phase = "over";
          succeeded = true;
          if (timer) clearTimeout(timer);
          resolveDone({ bytes: o.data.length, blocks, resent, ms: Date.now() - started, dataMs });
        } else if (b === NAK || b === CRC_REQUEST) send(packet!, true);
        return;
    }
  }

  arm(startTimeout, () => fail(`the receiver asked for nothing ("C") within ${startTimeout} ms`, "ReceiverSilent"));

  return {
    feed(bytes) {
      for (var i = 0; i < bytes.length; i++) {
        if (phase === "over") return i;
        var b = bytes[i];
        if (b === CAN) {
          if (lastWasCan) fail(`the receiver cancelled the transfer (CAN CAN) at ${what()}`, "ReceiverCancelled");
          lastWasCan = true;
          continue;
        }
        lastWasCan = false;
        onByte(b);
      }
      return bytes.length;
    },
    abort(reason) {
      if (succeeded) return;
      o.write(new Uint8Array([CAN, CAN]));
      if (typeof reason === "string") fail(reason, "Aborted");
      else fail(reason.message, "Aborted", reason);
    },
    done
  };
}
