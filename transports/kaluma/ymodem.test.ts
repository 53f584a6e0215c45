// YMODEM framing against the protocol reference's layouts and the CRC's published check values, and
// the sender's state machine against a scripted receiver (lrzsz's rb is the receiver in
// test/hardware/kaluma-flash.test.ts).
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ACK,
  CAN,
  CPMEOF,
  EOT,
  NAK,
  SOH,
  STX,
  crc16Xmodem,
  dataBlockCount,
  dataPacket,
  endOfBatchPacket,
  headerPacket,
  ymodemPacket
} from "./ymodem";
import { sendYmodem, YmodemError } from "./ymodem-sender";

const C = 0x43;
const ascii = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

describe("CRC-16/XMODEM", () => {
  it("has the catalogue's check value 0x31C3 for 123456789, and 0 for nothing or zeros", () => {
    expect(crc16Xmodem(ascii("123456789"))).toBe(0x31c3);
    expect(crc16Xmodem(ascii("A"))).toBe(0x58e5);
    expect(crc16Xmodem(new Uint8Array(0))).toBe(0);
    expect(crc16Xmodem(new Uint8Array(128))).toBe(0);
  });

  it("covers only the range asked", () => {
    expect(crc16Xmodem(ascii("xx123456789yy"), 2, 11)).toBe(0x31c3);
  });

  it("appended big-endian, makes the CRC of the whole zero (how receivers may check it)", () => {
    const p = ymodemPacket(1, ascii("123456789"), 128);
    expect(crc16Xmodem(p, 3, p.length)).toBe(0);
  });
});

describe("YMODEM blocks", () => {
  it("block 0: SOH 00 FF, the name, NUL, the size in decimal and a space, NULs, CRC (133 bytes)", () => {
    const p = headerPacket("echo.js", 5000);
    expect(p.length).toBe(133);
    expect([p[0], p[1], p[2]]).toEqual([SOH, 0x00, 0xff]);
    const body = ascii("echo.js\u00005000 ");
    expect(Array.from(p.subarray(3, 3 + body.length))).toEqual(Array.from(body));
    expect(p.subarray(3 + body.length, 131).every((b) => b === 0)).toBe(true);
    const crc = crc16Xmodem(p, 3, 131);
    expect([p[131], p[132]]).toEqual([crc >> 8, crc & 0xff]);
  });

  it("block 0 keeps names to 63 printable bytes without a slash", () => {
    const p = headerPacket("dir/" + "x".repeat(80) + " é", 1);
    const name = Buffer.from(p.subarray(3, 3 + 64))
      .toString("latin1")
      .split("\u0000")[0];
    expect(name).toBe("dir_" + "x".repeat(59));
  });

  it("the closing block 0 is SOH 00 FF, 128 NULs and CRC 00 00", () => {
    const p = endOfBatchPacket();
    expect(Array.from(p.subarray(0, 3))).toEqual([SOH, 0, 0xff]);
    expect(p.subarray(3).every((b) => b === 0)).toBe(true);
    expect(p.length).toBe(133);
  });

  it("data blocks: STX n ~n, 1024 bytes, the last padded with CPMEOF (0x1A), CRC (1029 bytes)", () => {
    const data = new Uint8Array(1500).map((_, i) => i & 0xff);
    expect(dataBlockCount(1500)).toBe(2);
    expect(dataBlockCount(1024)).toBe(1);
    expect(dataBlockCount(0)).toBe(0);
    const first = dataPacket(data, 1);
    expect(first.length).toBe(1029);
    expect([first[0], first[1], first[2]]).toEqual([STX, 1, 0xfe]);
    expect(Array.from(first.subarray(3, 1027))).toEqual(Array.from(data.subarray(0, 1024)));
    const last = dataPacket(data, 2);
    expect(Array.from(last.subarray(3, 3 + 476))).toEqual(Array.from(data.subarray(1024)));
    expect(last.subarray(3 + 476, 1027).every((b) => b === CPMEOF)).toBe(true);
    const crc = crc16Xmodem(last, 3, 1027);
    expect([last[1027], last[1028]]).toEqual([crc >> 8, crc & 0xff]);
  });

  it("block numbers wrap at 256 (block 256 is 00 FF)", () => {
    const p = ymodemPacket(256, new Uint8Array(0), 1024);
    expect([p[1], p[2]]).toEqual([0x00, 0xff]);
    expect(() => ymodemPacket(1, new Uint8Array(129), 128)).toThrow(RangeError);
  });
});

/** A sender whose packets are recorded, and a way to answer them. */
function harness(data: Uint8Array, opts: { maxTries?: number; ackTimeoutMs?: number; startTimeoutMs?: number } = {}) {
  const sent: Uint8Array[] = [];
  const progress: number[] = [];
  const t = sendYmodem({ write: (b) => sent.push(b.slice()), name: "app.js", data, onProgress: (n) => progress.push(n), ...opts });
  const answer = (...bytes: number[]) => t.feed(new Uint8Array(bytes));
  const last = () => sent[sent.length - 1];
  return { t, sent, progress, answer, last };
}

describe("the YMODEM sender", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends block 0 on C, data on ACK, EOT again on NAK, the closing block on C, and is done on its ACK", async () => {
    const data = new Uint8Array(2100).map((_, i) => (i * 13) & 0xff);
    const h = harness(data);
    h.answer(0x41, 0x0d); // noise before the receiver starts is not a "C"
    expect(h.sent.length).toBe(0);
    h.answer(C);
    expect(h.last()).toEqual(headerPacket("app.js", 2100));
    h.answer(ACK, C);
    expect(h.last()).toEqual(dataPacket(data, 1));
    h.answer(ACK);
    expect(h.last()).toEqual(dataPacket(data, 2));
    h.answer(NAK);
    expect(h.last()).toEqual(dataPacket(data, 2));
    h.answer(ACK);
    expect(h.last()).toEqual(dataPacket(data, 3));
    h.answer(ACK);
    expect(h.last()).toEqual(new Uint8Array([EOT]));
    h.answer(NAK); // lrzsz NAKs the first EOT
    expect(h.last()).toEqual(new Uint8Array([EOT]));
    h.answer(ACK);
    const before = h.sent.length;
    h.answer(C);
    expect(h.sent.length).toBe(before + 1);
    expect(h.last()).toEqual(endOfBatchPacket());
    expect(h.answer(ACK, 0x0d, 0x0a, 0x44)).toBe(1); // what follows the last ACK is the console's again
    expect(await h.t.done).toMatchObject({ bytes: 2100, blocks: 3, resent: 2 });
    expect(h.progress).toEqual([1024, 2048, 2100]);
  });

  it("treats a C during the data as a NAK (Kaluma's receiver asks with C after a bad block)", () => {
    const data = new Uint8Array(10);
    const h = harness(data);
    h.answer(C, ACK, C);
    h.answer(C);
    expect(h.sent.slice(-2)).toEqual([dataPacket(data, 1), dataPacket(data, 1)]);
  });

  it("sends EOT right after block 0 for an empty file", () => {
    const h = harness(new Uint8Array(0));
    h.answer(C, ACK, C);
    expect(h.last()).toEqual(new Uint8Array([EOT]));
  });

  it("stops on CAN CAN with ReceiverCancelled; one CAN alone is noise", async () => {
    const h = harness(new Uint8Array(3000));
    h.answer(C, ACK, C, ACK, CAN, NAK);
    expect(h.last()).toEqual(dataPacket(new Uint8Array(3000), 2));
    h.answer(CAN, CAN);
    const e = await h.t.done.catch((x) => x);
    expect(e).toBeInstanceOf(YmodemError);
    expect(e).toMatchObject({ code: "ReceiverCancelled", block: 2, acked: 1024 });
    expect(e.message).toMatch(/cancelled the transfer \(CAN CAN\) at block 2 of 3/);
  });

  it("gives up after maxTries NAKs of one block with TooManyRetries", async () => {
    const h = harness(new Uint8Array(100), { maxTries: 3 });
    h.answer(C, ACK, C, NAK, NAK, NAK);
    const e = await h.t.done.catch((x) => x);
    expect(e).toMatchObject({ code: "TooManyRetries", block: 1, acked: 0 });
    expect(h.sent.filter((p) => p[0] === STX).length).toBe(3);
  });

  it("sends a block again when no answer comes in time, then gives up", async () => {
    vi.useFakeTimers();
    const h = harness(new Uint8Array(100), { maxTries: 2, ackTimeoutMs: 1000 });
    h.answer(C, ACK, C);
    const failed = h.t.done.catch((x) => x);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sent.filter((p) => p[0] === STX).length).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await failed).toMatchObject({ code: "TooManyRetries" });
  });

  it("fails with ReceiverSilent when no C comes to start", async () => {
    vi.useFakeTimers();
    const h = harness(new Uint8Array(100), { startTimeoutMs: 5000 });
    const failed = h.t.done.catch((x) => x);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await failed).toMatchObject({ code: "ReceiverSilent", block: 0 });
    expect(h.sent.length).toBe(0);
  });

  it("abort sends CAN CAN and rejects with Aborted; after success it does nothing", async () => {
    const h = harness(new Uint8Array(10));
    h.answer(C, ACK, C);
    h.t.abort("the port closed");
    expect(h.last()).toEqual(new Uint8Array([CAN, CAN]));
    expect(await h.t.done.catch((x) => x)).toMatchObject({ code: "Aborted", message: "the port closed" });
    expect(h.answer(ACK)).toBe(0);

    const ok = harness(new Uint8Array(0));
    ok.answer(C, ACK, C, ACK, C, ACK);
    await ok.t.done;
    const n = ok.sent.length;
    ok.t.abort("late");
    expect(ok.sent.length).toBe(n);
  });
});
