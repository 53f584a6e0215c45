// The framing vectors in spec/vectors/, checked in both directions against core/.
// The vectors were made with independent code (zlib, the `cobs` npm package, Buffer), not with core/.
import { describe, it, expect } from "vitest";
import crcVectors from "../spec/vectors/crc32.json";
import cobsVectors from "../spec/vectors/cobs.json";
import headerVectors from "../spec/vectors/header.json";
import streamVectors from "../spec/vectors/stream-frames.json";
import idVectors from "../spec/vectors/ids.json";
import { crc32 } from "../core/crc32";
import { cobsEncode, cobsDecode, cobsMaxEncodedLength } from "../core/cobs";
import { StreamEncoder, StreamDecoder } from "../core/stream";
import { checkDatagram } from "../core/datagram";
import { DelimitedDecoder } from "../core/delimited";
import { HEADER_SIZE, encodeHeader, decodeHeader, newHeader, Header } from "../core/header";
import { newLinkStats } from "../core/drops";
import { fnv1a32String } from "../core/fnv";

const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const u32 = (h: string) => parseInt(h, 16);

describe("crc32.json", () => {
  it.each(crcVectors.cases)("$name", (c) => {
    expect(crc32(bytes(c.input))).toBe(u32(c.crc));
  });
});

describe("cobs.json", () => {
  it.each(cobsVectors.cases)("encodes and decodes: $name", (c) => {
    const src = bytes(c.decoded);
    const out = new Uint8Array(cobsMaxEncodedLength(src.length));
    expect(hex(out.subarray(0, cobsEncode(src, out)))).toBe(c.encoded);
    const dec = new Uint8Array(src.length);
    expect(cobsDecode(bytes(c.encoded), dec)).toBe(src.length);
    expect(hex(dec)).toBe(c.decoded);
  });
  it.each(cobsVectors.acceptedForms)("accepts: $name", (c) => {
    const enc = bytes(c.encoded);
    const n = cobsDecode(enc);
    expect(hex(enc.subarray(0, n))).toBe(c.decoded);
  });
  it.each(cobsVectors.invalid)("rejects: $name", (c) => {
    const enc = bytes(c.encoded);
    expect(cobsDecode(enc, new Uint8Array(enc.length + 1))).toBe(-1);
  });
});

describe("header.json", () => {
  it.each(headerVectors.valid)("both ways: $name", (v) => {
    const out = new Uint8Array(HEADER_SIZE);
    encodeHeader(v.fields, out, 0);
    expect(hex(out)).toBe(v.hex);
    // decodeHeader needs the whole frame: append the payload the length field announces.
    const frame = new Uint8Array(HEADER_SIZE + v.fields.length);
    frame.set(bytes(v.hex));
    const h = newHeader();
    expect(decodeHeader(frame, 0, frame.length, h)).toBeNull();
    expect(h).toEqual(v.fields);
  });
  it.each(headerVectors.decodeOnly)("decodes: $name", (v) => {
    const frame = bytes(v.frame);
    const h = newHeader();
    expect(decodeHeader(frame, 0, frame.length, h)).toBeNull();
    expect(h).toEqual(v.fields);
  });
  it.each(headerVectors.invalid)("drops $drop: $name", (v) => {
    const frame = bytes(v.frame);
    expect(decodeHeader(frame, 0, frame.length, newHeader())).toBe(v.drop);
    const stats = newLinkStats();
    expect(checkDatagram(frame, 1 << 20, stats)).toBe(false);
    expect(stats.drops).toEqual({ [v.drop]: 1 });
  });
});

describe("stream-frames.json", () => {
  it.each(streamVectors.valid)("encodes: $name", (v) => {
    const payload = bytes(v.payload);
    const frame = new Uint8Array(HEADER_SIZE + payload.length);
    encodeHeader(v.fields, frame, 0);
    frame.set(payload, HEADER_SIZE);
    expect(hex(frame)).toBe(v.frame);
    expect(crc32(frame)).toBe(u32(v.crc));
    expect(hex(new StreamEncoder().encode(frame))).toBe(v.stream);
  });

  it.each(streamVectors.valid)("decodes: $name", (v) => {
    const headers: Header[] = [];
    const frames: string[] = [];
    const dec = new StreamDecoder(HEADER_SIZE + 1024);
    dec.feed(bytes(v.stream), (f) => {
      frames.push(hex(f));
      headers.push({ ...dec.header });
    });
    expect(frames).toEqual([v.frame]);
    expect(headers).toEqual([v.fields]);
    // The same frame on a datagram link and on a QUIC-style stream.
    expect(checkDatagram(bytes(v.frame), 1044, newLinkStats())).toBe(true);
    const quic: string[] = [];
    new DelimitedDecoder(1044).feed(bytes(v.frame + v.frame), (f) => quic.push(hex(f)));
    expect(quic).toEqual([v.frame, v.frame]);
  });

  it.each(streamVectors.badStreams)("receives: $name", (v) => {
    for (const step of [0, 1, 7]) {
      const stats = newLinkStats();
      const dec = new StreamDecoder(v.maxFrame, stats);
      const stream = bytes(v.stream);
      const frames: string[] = [];
      const size = step || stream.length;
      for (let at = 0; at < stream.length; at += size) dec.feed(stream.subarray(at, at + size), (f) => frames.push(hex(f)));
      expect(frames).toEqual(v.frames);
      expect(stats.drops).toEqual(v.drops);
      expect(stats.framesIn).toBe(v.frames.length);
      expect(stats.bytesIn).toBe(stream.length);
    }
  });
});

describe("ids.json", () => {
  it.each(idVectors.cases)("$what: $text", (c) => {
    expect(fnv1a32String(c.text)).toBe(u32(c.id));
  });
});
