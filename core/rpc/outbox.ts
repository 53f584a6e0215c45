// Builds outgoing frames in one reused buffer: header space first, the payload encoded after it,
// then the header written in front. No allocation per frame once the buffer has grown.
import { Writer } from "../codec";
import { HEADER_SIZE, Header, newHeader, encodeHeader } from "../header";
import { CellError, ErrorCode } from "../errors";

export class Outbox {
  readonly maxPayload: number;
  private w: Writer;
  private h: Header = newHeader();

  constructor(maxPayload: number) {
    this.maxPayload = maxPayload;
    this.w = new Writer(Math.min(256, HEADER_SIZE + maxPayload), HEADER_SIZE + maxPayload);
  }

  /** Starts a frame; encode the payload into the returned writer, then call `seal`. */
  begin(): Writer {
    this.w.reset(HEADER_SIZE);
    return this.w;
  }

  /** Writes the header in front of the payload and returns the whole frame (valid until the next `begin`). */
  seal(kind: number, codec: number, cellId: number, methodId: number, requestId: number, flags?: number): Uint8Array {
    var w = this.w;
    var length = w.pos - HEADER_SIZE;
    if (length > this.maxPayload) throw new CellError(ErrorCode.TooLarge, "payload of " + length + " bytes exceeds " + this.maxPayload);
    var h = this.h;
    h.kind = kind;
    h.flags = flags || 0;
    h.codec = codec;
    h.cellId = cellId;
    h.methodId = methodId;
    h.requestId = requestId;
    h.length = length;
    encodeHeader(h, w.buf, 0);
    return w.view(0);
  }
}
