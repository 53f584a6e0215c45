# Generates spec/vectors/can-isotp.json, can-ids.json and can-slcan.json independently of the
# TypeScript code: an ISO-TP (ISO 15765-2) segmenter written from the standard's frame layouts, the id
# scheme of spec/can.md, and slcan lines as Debian's python3-can writes them (its slcan bus on pyserial's
# loop:// port). Run with Debian's python: /usr/bin/python3 scripts/vectors/generate-can.py
import json, os
import can

PAD = 0xCC
FD_SIZES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]

def fd_size(n):
    return next(s for s in FD_SIZES if s >= n)

def pad(frame, tx_dl):
    # Classic CAN: always 8 bytes. CAN FD: at least 8, then the next length a DLC can say.
    size = 8 if tx_dl == 8 else max(8, fd_size(len(frame)))
    return frame + bytes([PAD] * (size - len(frame)))

def segment(msg, tx_dl):
    n = len(msg)
    if n <= 7:  # SF, classic form: low nibble is SF_DL
        return [pad(bytes([n]) + msg, tx_dl)]
    if tx_dl > 8 and n <= tx_dl - 2:  # SF with escape: 0x00, then SF_DL in byte 1 (CAN FD only)
        return [pad(bytes([0x00, n]) + msg, tx_dl)]
    if n <= 4095:
        pci = bytes([0x10 | (n >> 8), n & 0xFF])
    else:  # FF_DL escape: 12-bit field 0, then a 32-bit big-endian length
        pci = bytes([0x10, 0x00]) + n.to_bytes(4, "big")
    first = tx_dl - len(pci)
    frames = [pci + msg[:first]]
    sn, at = 1, first
    while at < n:
        chunk = msg[at:at + tx_dl - 1]
        frames.append(pad(bytes([0x20 | sn]) + chunk, tx_dl))
        sn, at = (sn + 1) & 0x0F, at + len(chunk)
    return frames

def flow_control(fs, bs, stmin):
    return bytes([0x30 | fs, bs, stmin])

def stmin_us(b):
    if b <= 0x7F: return b * 1000
    if 0xF1 <= b <= 0xF9: return (b - 0xF0) * 100
    return 127000  # reserved values: the longest STmin

def message(n, seed):
    return bytes(((i * 31 + seed) & 0xFF) for i in range(n))

cases = []
for tx_dl in (8, 64):
    for n in ([1, 7, 8, 12, 13, 20, 111, 112, 113, 120, 1044, 4095, 4096] if tx_dl == 8 else [1, 7, 8, 62, 63, 64, 125, 126, 127, 1044, 4095, 4096]):
        msg = message(n, n)
        cases.append({"name": "%d bytes, %s" % (n, "classic CAN" if tx_dl == 8 else "CAN FD 64"), "txDl": tx_dl,
                      "message": msg.hex(), "frames": [f.hex() for f in segment(msg, tx_dl)]})

# Published example (ISO-TP over classic CAN, 0xAA/0x00 padding): the frames decode as below.
published = [
    {"name": "single frame: 3 bytes, 00-padded", "frame": "0328030300000000", "type": "SF", "length": 3, "data": "280303"},
    {"name": "single frame: 2 bytes, AA-padded", "frame": "026803aaaaaaaaaa", "type": "SF", "length": 2, "data": "6803"},
    {"name": "first frame: 11 bytes, 6 of them here", "frame": "100b3400441fff80", "type": "FF", "length": 11, "data": "3400441fff80"},
    {"name": "flow control: continue, no more FC, no gap", "frame": "300000aaaaaaaaaa", "type": "FC", "fs": 0, "bs": 0, "stMinUs": 0},
]

fcs = []
for fs, bs, st in [(0, 0, 0), (0, 8, 20), (1, 0, 0), (2, 0, 0), (0, 2, 0x7F), (0, 0, 0xF1), (0, 0, 0xF9), (0, 0, 0x80), (0, 0, 0xFA)]:
    fcs.append({"fs": fs, "bs": bs, "stMin": st, "stMinUs": stmin_us(st), "frame": pad(flow_control(fs, bs, st), 8).hex()})

# Frames a receiver must drop (and count), never turning them into a wrong message.
bad = [
    {"name": "SF_DL 0", "frames": ["00cccccccccccccc"], "drop": "BadPci"},
    {"name": "SF_DL 7 in a 5-byte frame", "frames": ["0701020304"], "drop": "BadLength"},
    {"name": "escaped SF in a classic frame", "frames": ["0006010203040506"], "drop": "BadPci"},
    {"name": "FF_DL 7 (fits a single frame)", "frames": ["1007010203040506"], "drop": "BadPci"},
    {"name": "FF claiming 4 GiB (escape)", "frames": ["10 00 ff ff ff ff 01 02".replace(" ", "")], "drop": "TooLong", "flowControl": pad(flow_control(2, 0, 0), 8).hex()},
    {"name": "CF without a FF", "frames": ["2101020304050607"], "drop": "UnexpectedFrame"},
    {"name": "wrong sequence number (CF lost)", "frames": ["1014" + message(20, 1)[:6].hex(), "22" + message(20, 1)[13:20].hex()], "drop": "BadSequence"},
    {"name": "reserved PCI type 4", "frames": ["4001020304050607"], "drop": "BadPci"},
    {"name": "empty frame", "frames": [""], "drop": "BadPci"},
]

def ids():
    out = []
    for src, dst in [(1, 2), (2, 1), (0, 14), (14, 0), (3, 3)]:
        out.append({"format": "11-bit", "src": src, "dst": dst, "id": "0x%03x" % (0x600 | dst << 4 | src)})
    for src in (0, 1, 14):
        out.append({"format": "11-bit", "src": src, "dst": "all", "id": "0x%03x" % (0x6F0 | src)})
    for src, dst in [(1, 2), (2, 1), (0, 254), (254, 0), (0x42, 0x17)]:
        out.append({"format": "29-bit", "src": src, "dst": dst, "id": "0x%08x" % (0x18DA0000 | dst << 8 | src)})
    for src in (0, 1, 254):
        out.append({"format": "29-bit", "src": src, "dst": "all", "id": "0x%08x" % (0x18DBFF00 | src)})
    return out

def slcan_lines():
    # python-can's slcan bus writes to pyserial's loop:// port: what it writes is what it reads back.
    bus = can.interface.Bus(interface="slcan", channel="loop://", sleep_after_open=0, bitrate=500000)
    port = bus.serialPortOrig
    port.read(port.in_waiting)  # C, S6, O of the setup
    out = []
    for msg in [can.Message(arbitration_id=0x612, is_extended_id=False, data=bytes.fromhex("0328030300000000")),
                can.Message(arbitration_id=0x6F1, is_extended_id=False, data=b""),
                can.Message(arbitration_id=0x18DA0201, is_extended_id=True, data=bytes.fromhex("1014ce01000101")),
                can.Message(arbitration_id=0x7FF, is_extended_id=False, data=bytes(range(8)))]:
        bus.send(msg)
        line = port.read(port.in_waiting)
        out.append({"id": "0x%x" % msg.arbitration_id, "extended": msg.is_extended_id, "data": bytes(msg.data).hex(), "line": line.decode()})
    bitrates = [{"bitrate": b, "command": c} for b, c in sorted(bus._BITRATES.items()) if b != 83300]
    bus.shutdown()
    return out, bitrates

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "..", "spec", "vectors")
note = "Generated by scripts/vectors/generate-can.py (independent of the TypeScript code); see spec/can.md."
with open(os.path.join(out_dir, "can-isotp.json"), "w") as f:
    json.dump({"note": note, "padding": "0x%02x" % PAD, "segment": cases, "published": published, "flowControl": fcs, "bad": bad}, f, indent=1)
    f.write("\n")
with open(os.path.join(out_dir, "can-ids.json"), "w") as f:
    json.dump({"note": note, "ids": ids()}, f, indent=1)
    f.write("\n")
lines, bitrates = slcan_lines()
with open(os.path.join(out_dir, "can-slcan.json"), "w") as f:
    json.dump({"note": note + " Lines as python-can 4.1's slcan interface writes them (\\r ends a line).", "frames": lines, "bitrates": bitrates}, f, indent=1)
    f.write("\n")
