// Hand-made frames and stream bytes for transport tests.
import { HEADER_SIZE, Kind, CodecId, encodeHeader, writeU32 } from "../../core/header";
import { StreamEncoder } from "../../core/stream";

/** A frame of `size` bytes (header included) whose payload bytes are a pattern from `seed`. */
export function makeFrame(
  size: number,
  opts: { kind?: number; cellId?: number; methodId?: number; requestId?: number; seed?: number } = {}
): Uint8Array {
  const frame = new Uint8Array(size);
  encodeHeader(
    {
      kind: opts.kind ?? Kind.Request,
      flags: 0,
      codec: CodecId.Raw,
      cellId: opts.cellId ?? 0x0c0ffee0,
      methodId: opts.methodId ?? 0x12345678,
      requestId: opts.requestId ?? 1,
      length: size - HEADER_SIZE
    },
    frame,
    0
  );
  for (let i = HEADER_SIZE, v = opts.seed ?? 7; i < size; i++) frame[i] = v = (v * 31 + 11) & 255;
  return frame;
}

/** A frame whose length field claims `claimed` payload bytes while `actual` follow. */
export function lyingFrame(claimed: number, actual: number, cellId?: number): Uint8Array {
  const frame = makeFrame(HEADER_SIZE + actual, { cellId });
  writeU32(frame, 16, claimed);
  return frame;
}

/** The stream form (COBS + CRC + delimiter) of a frame, for a decoder allowing up to `maxFrame`. */
export function streamBytes(frame: Uint8Array, maxFrame = frame.length): Uint8Array {
  return new Uint8Array(new StreamEncoder(Math.max(maxFrame, frame.length)).encode(frame));
}
