#!/usr/bin/env python3
"""Vectors for spec/mavlink.md, written from the MAVLink documents with Python's struct and hashlib,
independent of transports/mavlink and of node-mavlink.  Run: python3 scripts/vectors/generate-mavlink.py"""
import hashlib, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "spec", "vectors")
PAYLOAD_TYPE = 0xCE11
CHUNK = 124
MAX_FRAME = 1044


def crc_accumulate(b, crc):
    # CRC-16/MCRF4XX as in MAVLink's checksum.h description: poly 0x1021 reflected, init 0xFFFF.
    tmp = b ^ (crc & 0xFF)
    tmp = (tmp ^ (tmp << 4)) & 0xFF
    return ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xFFFF


def x25(data, extra):
    crc = 0xFFFF
    for b in data:
        crc = crc_accumulate(b, crc)
    return crc_accumulate(extra, crc)


def cell_frame(kind, codec, cell, method, req, payload):
    return struct.pack("<BBBBIIII", 0xCE, 1, kind, codec, cell, method, req, len(payload)) + payload


def fragments(frame, seq):
    out = []
    count = (len(frame) + CHUNK - 1) // CHUNK
    for i in range(count):
        out.append(struct.pack("<BBH", seq, i, len(frame)) + frame[i * CHUNK:(i + 1) * CHUNK])
    return out


def packet(msgid, extra, payload, seq, sysid, compid, signing=None):
    while len(payload) > 1 and payload[-1] == 0:  # MAVLink v2 payload truncation (keeps at least 1 byte)
        payload = payload[:-1]
    incompat = 1 if signing else 0
    head = struct.pack("<BBBBBBB", 0xFD, len(payload), incompat, 0, seq, sysid, compid) + struct.pack("<I", msgid)[:3]
    crc = x25(head[1:] + payload, extra)
    pkt = head + payload + struct.pack("<H", crc)
    if signing:
        key = bytes.fromhex(signing["key"])
        tail = struct.pack("<B", signing["linkId"]) + struct.pack("<Q", signing["timestamp"])[:6]
        sig = hashlib.sha256(key + pkt + tail).digest()[:6]
        pkt += tail + sig
    return pkt


def tunnel_payload(ts, tc, data, ptype=PAYLOAD_TYPE):
    return struct.pack("<HBBB", ptype, ts, tc, len(data)) + data + bytes(128 - len(data))


def heartbeat_payload():
    # custom_mode u32, type u8, autopilot u8, base_mode u8, system_status u8, mavlink_version u8
    return struct.pack("<IBBBBB", 0, 18, 8, 0, 4, 3)


small = cell_frame(0, 1, 0x2D2CE39E, 0x85B7894D, 1, bytes.fromhex("81a4756e6974a143"))
exact = cell_frame(1, 0, 0x2D2CE39E, 0x85B7894D, 2, bytes(range(1, 105)))  # 124 bytes: one full chunk
over = cell_frame(1, 0, 0x2D2CE39E, 0x85B7894D, 3, bytes((i * 7 + 1) & 0xFF for i in range(105)))  # 125: two
big = cell_frame(1, 2, 0x12345678, 0x9ABCDEF0, 4, bytes((i * 13 + 5) & 0xFF for i in range(1024)))  # 1044: nine
hx = lambda b: b.hex()

frag_cases = []
for name, frame, seq in [("small request, one fragment", small, 0), ("124 bytes, one full fragment", exact, 1),
                         ("125 bytes, two fragments", over, 255), ("1044 bytes (device maxFrame), nine fragments", big, 7)]:
    frag_cases.append({"name": name, "frameSeq": seq, "frame": hx(frame), "payloads": [hx(p) for p in fragments(frame, seq)]})

A = fragments(over, 10)
B = fragments(over, 11)
C = fragments(big, 20)
bad_magic = bytearray(small); bad_magic[0] = 0xCF
reassembly = [
    {"name": "in order", "payloads": A, "frames": [over], "drops": {}},
    {"name": "a duplicated middle fragment is ignored", "payloads": C[:4] + [C[3]] + C[4:], "frames": [big], "drops": {"DuplicateFragment": 1}},
    {"name": "a duplicated one-fragment frame is delivered once", "payloads": fragments(small, 5) * 2, "frames": [small], "drops": {"DuplicateFragment": 1}},
    {"name": "a lost first fragment loses the frame, the next frame arrives", "payloads": A[1:] + B, "frames": [over], "drops": {"FragmentLost": 1}},
    {"name": "a lost last fragment: the next frame abandons it", "payloads": A[:1] + B, "frames": [over], "drops": {"FragmentLost": 1}},
    {"name": "reordered fragments lose the frame, never a wrong one", "payloads": [A[1], A[0]] + B, "frames": [over], "drops": {"FragmentLost": 2}},
    {"name": "a fragment from the middle of another frame", "payloads": C[:3] + [C[5]] + B, "frames": [over], "drops": {"FragmentLost": 2}},
    {"name": "a header claiming 64 KB is dropped", "payloads": [struct.pack("<BBH", 1, 0, 0xFFFF) + bytes(124)], "frames": [], "drops": {"TooLong": 1}},
    {"name": "total below a header", "payloads": [struct.pack("<BBH", 1, 0, 19) + bytes(19)], "frames": [], "drops": {"TooShort": 1}},
    {"name": "no fragment header", "payloads": [bytes.fromhex("0100")], "frames": [], "drops": {"BadFragment": 1}},
    {"name": "index beyond the frame", "payloads": [struct.pack("<BBH", 1, 2, 125) + bytes(1)], "frames": [], "drops": {"BadFragment": 1}},
    {"name": "chunk shorter than the header says", "payloads": [struct.pack("<BBH", 1, 0, 125) + bytes(100)], "frames": [], "drops": {"BadFragment": 1}},
    {"name": "complete but not a Cell frame", "payloads": fragments(bytes(bad_magic), 3), "frames": [], "drops": {"BadMagic": 1}},
]
for r in reassembly:
    r["maxFrame"] = MAX_FRAME
    r["payloads"] = [hx(p) for p in r["payloads"]]
    r["frames"] = [hx(f) for f in r["frames"]]

key = hashlib.sha256(b"cell test passphrase").digest().hex()
ann = fragments(cell_frame(5, 0, 0, 0, 0, bytes.fromhex("0100000088130000010574686572699ee32c2d00000000")), 0)[0]
packets = []
def add(name, message, msgid, extra, payload, seq, sysid, compid, fields, signing=None):
    v = {"name": name, "message": message, "fields": fields, "sysid": sysid, "compid": compid, "seq": seq}
    if signing: v["signing"] = signing
    v["hex"] = hx(packet(msgid, extra, payload, seq, sysid, compid, signing))
    packets.append(v)

add("heartbeat of a cell node", "HEARTBEAT", 0, 50, heartbeat_payload(), 0, 1, 191,
    {"type": 18, "autopilot": 8, "base_mode": 0, "custom_mode": 0, "system_status": 4, "mavlink_version": 3})
for i, (name, ts, tc, data, seq, sysid, compid, signing) in enumerate([
    ("tunnel: small request to 1/191", 1, 191, fragments(small, 0)[0], 1, 255, 190, None),
    ("tunnel: announce to everyone", 0, 0, ann, 2, 1, 191, None),
    ("tunnel: full fragment", 1, 191, fragments(big, 7)[0], 3, 255, 190, None),
    ("tunnel: signed small request", 1, 191, fragments(small, 0)[0], 4, 255, 190, {"key": key, "linkId": 1, "timestamp": 0x0123456789AB}),
    ("heartbeat signed", None, None, None, 5, 1, 191, {"key": key, "linkId": 0, "timestamp": 0x0123456789AB + 100}),
]):
    if ts is None:
        add(name, "HEARTBEAT", 0, 50, heartbeat_payload(), seq, sysid, compid,
            {"type": 18, "autopilot": 8, "base_mode": 0, "custom_mode": 0, "system_status": 4, "mavlink_version": 3}, signing)
    else:
        add(name, "TUNNEL", 385, 147, tunnel_payload(ts, tc, data), seq, sysid, compid,
            {"payload_type": PAYLOAD_TYPE, "target_system": ts, "target_component": tc, "payload_length": len(data), "payload": hx(data)}, signing)

with open(os.path.join(OUT, "mavlink-fragments.json"), "w") as f:
    json.dump({"maxFrame": MAX_FRAME, "payloadType": PAYLOAD_TYPE, "chunk": CHUNK, "fragments": frag_cases, "reassembly": reassembly}, f, indent=1)
    f.write("\n")
with open(os.path.join(OUT, "mavlink-packets.json"), "w") as f:
    json.dump({"key_passphrase": "cell test passphrase", "packets": packets}, f, indent=1)
    f.write("\n")
print("wrote mavlink-fragments.json, mavlink-packets.json")
