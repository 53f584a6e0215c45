// spec/vectors/mavlink-*.json (made by scripts/vectors/generate-mavlink.py, independent of our code)
// checked against transports/mavlink: fragments both ways, reassembly drops, whole packets byte for byte.
import { describe, it, expect, beforeAll } from "vitest";
import fragVectors from "../spec/vectors/mavlink-fragments.json";
import packetVectors from "../spec/vectors/mavlink-packets.json";
import { fragmentFrame, Reassembler, CELL_PAYLOAD_TYPE } from "../transports/mavlink/fragments";
import { loadMavlink, Mavlink, PacketWriter, packetReader, readTunnel, Packet } from "../transports/mavlink/codec";
import { Signer } from "../transports/mavlink/signing";
import { newLinkStats } from "../core/drops";

const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
let m: Mavlink;
beforeAll(async () => {
  m = await loadMavlink();
});

describe("mavlink-fragments.json", () => {
  it("names the payload type the code uses", () => {
    expect(fragVectors.payloadType).toBe(CELL_PAYLOAD_TYPE);
  });
  it.each(fragVectors.fragments)("fragments and reassembles: $name", (c) => {
    expect(fragmentFrame(bytes(c.frame), c.frameSeq).map(hex)).toEqual(c.payloads);
    const stats = newLinkStats();
    const r = new Reassembler({ maxFrame: fragVectors.maxFrame }, stats);
    const out = c.payloads.map((p) => r.feed("1/191", bytes(p))).filter((f) => f !== null);
    expect(out.map((f) => hex(f!))).toEqual([c.frame]);
    expect(stats.drops).toEqual({});
  });
  it.each(fragVectors.reassembly)("reassembly: $name", (c) => {
    const stats = newLinkStats();
    const r = new Reassembler({ maxFrame: c.maxFrame }, stats);
    const frames: string[] = [];
    for (const p of c.payloads) {
      const f = r.feed("1/191", bytes(p));
      if (f) frames.push(hex(f));
    }
    expect(frames).toEqual(c.frames);
    expect(stats.drops).toEqual(c.drops);
  });
  it("drops a frame in progress after the timeout, and keeps at most maxSources sources", () => {
    let now = 0;
    const stats = newLinkStats();
    const r = new Reassembler({ maxFrame: 1044, timeoutMs: 100, maxSources: 4, now: () => now }, stats);
    const big = fragVectors.fragments[3].payloads.map(bytes);
    r.feed("a", big[0]);
    now = 500;
    r.expire();
    expect(stats.drops).toEqual({ FragmentTimeout: 1 });
    for (let i = 0; i < 100; i++) r.feed("src" + i, big[0]);
    expect(r.sources).toBe(4);
  });
});

describe("mavlink-packets.json", () => {
  const key = () => Buffer.from(packetVectors.packets.find((p) => p.signing)!.signing!.key, "hex");
  it.each(packetVectors.packets)("our writer emits the packet byte for byte: $name", (c) => {
    const signing = (c as { signing?: { key: string; linkId: number; timestamp: number } }).signing;
    const w = new PacketWriter(m, c.sysid, c.compid, !!signing, c.seq);
    const f = c.fields as unknown as Record<string, number | string>;
    let packet =
      c.message === "HEARTBEAT"
        ? w.heartbeat()
        : w.tunnel(f.target_system as number, f.target_component as number, bytes(f.payload as string));
    if (signing) packet = new Signer(m, { key: Buffer.from(signing.key, "hex"), linkId: signing.linkId }).sign(packet, signing.timestamp);
    expect(hex(packet)).toBe(c.hex);
  });
  it.each(packetVectors.packets)("node-mavlink reads the packet: $name", (c) => {
    const got: Packet[] = [];
    const bad: string[] = [];
    packetReader(
      m,
      (p) => got.push(p),
      (why) => bad.push(why)
    ).feed(bytes(c.hex));
    expect(bad).toEqual([]);
    expect(got.map((p) => [hex(p.bytes), p.sysid, p.compid, p.signed])).toEqual([[c.hex, c.sysid, c.compid, "signing" in c]]);
    if (c.message === "TUNNEL") {
      const t = readTunnel(m, got[0]);
      expect([t.payloadType, t.targetSystem, t.targetComponent, hex(t.payload)]).toEqual([
        c.fields.payload_type,
        c.fields.target_system,
        c.fields.target_component,
        c.fields.payload
      ]);
    }
  });
  it("signature check: the vector is taken once, then a replay, a changed byte and an unsigned packet are refused", () => {
    const signed = packetVectors.packets.filter((p) => "signing" in p);
    const s = new Signer(m, { key: key(), mode: "required" }, () => Date.UTC(2015, 0, 1));
    for (const p of signed) expect(s.check(Buffer.from(p.hex, "hex"), true, p.sysid, p.compid)).toBe(null);
    expect(s.check(Buffer.from(signed[0].hex, "hex"), true, signed[0].sysid, signed[0].compid)).toBe("Replayed");
    const changed = Buffer.from(signed[0].hex, "hex");
    changed[12] ^= 1;
    expect(s.check(changed, true, signed[0].sysid, signed[0].compid)).toBe("BadSignature");
    expect(s.check(Buffer.from(packetVectors.packets[0].hex, "hex"), false, 1, 191)).toBe("Unsigned");
    expect(new Signer(m, { key: key(), mode: "accept" }).check(Buffer.from(packetVectors.packets[0].hex, "hex"), false, 1, 191)).toBe(null);
    // A new stream a minute behind our clock is a replay of old traffic.
    const late = new Signer(m, { key: key() }, () => Date.UTC(2026, 0, 1));
    expect(late.check(Buffer.from(signed[0].hex, "hex"), true, signed[0].sysid, signed[0].compid)).toBe("Replayed");
  });
  it("the key of a passphrase is its SHA-256, as node-mavlink makes it", () => {
    expect(new Signer(m, { key: packetVectors.key_passphrase }).key).toEqual(key());
    expect(m.MavLinkPacketSignature.key(packetVectors.key_passphrase)).toEqual(key());
  });
});
