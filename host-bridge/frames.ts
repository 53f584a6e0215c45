// Frames the bridge writes: a copy of a passing frame with another request id, and its own ERRORs,
// CANCELs and requests. Built in reused buffers; a small stack of them because a synchronous link may
// deliver a frame (and the bridge build another) while the first is still being sent.
import { Writer } from "../core/codec";
import { HEADER_SIZE, Kind, CodecId, newHeader, encodeHeader, writeU32 } from "../core/header";
import { writeErrorPayload, MAX_ERROR_MESSAGE } from "../core/rpc/error-payload";

/** Larger than any link's maxFrame: the buffers grow to the largest frame seen, never beyond this. */
const MAX_FRAME = 0x1000000;

export class FrameBuffers {
  private stack: Writer[] = [];
  private depth = 0;
  private h = newHeader();

  /** A buffer for one frame; call `release` once the frame has been sent. */
  acquire(): Writer {
    let w = this.stack[this.depth];
    if (!w) w = this.stack[this.depth] = new Writer(512, MAX_FRAME);
    this.depth++;
    w.reset();
    return w;
  }

  release(): void {
    this.depth--;
  }

  /** `frame` with its requestId replaced, in `w`. */
  withId(w: Writer, frame: Uint8Array, requestId: number): Uint8Array {
    w.ensure(frame.length);
    w.buf.set(frame, 0);
    writeU32(w.buf, 12, requestId);
    w.pos = frame.length;
    return w.view(0);
  }

  /** An ERROR frame; the message is clipped to what fits `maxPayload`. */
  error(w: Writer, code: number, message: string, cellId: number, methodId: number, requestId: number, maxPayload: number): Uint8Array {
    w.reset(HEADER_SIZE);
    writeErrorPayload(w, code, message, Math.min(MAX_ERROR_MESSAGE, maxPayload - 1));
    return this.seal(w, Kind.Error, cellId, methodId, requestId);
  }

  /** A RAW frame with an empty payload, or a u32 one (subscribe/unsubscribe bodies). */
  raw(w: Writer, kind: number, cellId: number, methodId: number, requestId: number, u32?: number): Uint8Array {
    w.reset(HEADER_SIZE);
    if (u32 !== undefined) {
      w.ensure(4);
      writeU32(w.buf, HEADER_SIZE, u32);
      w.pos = HEADER_SIZE + 4;
    }
    return this.seal(w, kind, cellId, methodId, requestId);
  }

  private seal(w: Writer, kind: number, cellId: number, methodId: number, requestId: number): Uint8Array {
    const h = this.h;
    h.kind = kind;
    h.codec = CodecId.Raw;
    h.cellId = cellId;
    h.methodId = methodId;
    h.requestId = requestId;
    h.length = w.pos - HEADER_SIZE;
    encodeHeader(h, w.buf, 0);
    return w.view(0);
  }
}
