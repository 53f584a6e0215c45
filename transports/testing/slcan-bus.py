# A CAN bus for tests, made of Debian's python3-can: one slcan "adapter" per node on a pseudo-terminal.
# For each node, two pty pairs are relayed back to back: the node (e.g. `cell bridge --can slcan:PATH`)
# opens one slave, python-can's slcan interface opens the other. A line the node transmits (t/T) is what
# python-can parses as a received frame; a frame python-can sends is a line the node receives. A thread
# per node forwards every frame python-can read from one node to all the others: the bus.
# Prints {"ports": [...]} once ready, then one JSON line per frame on the bus and per setup command
# (S6, O, C) a node wrote. Reads commands on stdin: "bell N" makes node N's adapter answer with a bell.
# Exits when stdin closes. Usage: /usr/bin/python3 slcan-bus.py NODES BITRATE
import json, os, pty, select, sys, threading, tty
import can

nodes, bitrate = int(sys.argv[1]), int(sys.argv[2])
out_lock = threading.Lock()

def emit(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

pairs = []
for i in range(nodes):
    node_m, node_s = pty.openpty()
    can_m, can_s = pty.openpty()
    tty.setraw(node_s)
    tty.setraw(can_s)
    os.set_blocking(node_m, False)
    os.set_blocking(can_m, False)
    pairs.append({"node_m": node_m, "node_s": node_s, "can_m": can_m, "can_s": can_s, "line": b""})

def relay():
    # node -> python-can and back; the node's setup commands are reported as they pass.
    while True:
        fds = [p["node_m"] for p in pairs] + [p["can_m"] for p in pairs]
        r, _, _ = select.select(fds, [], [], 0.5)
        for i, p in enumerate(pairs):
            if p["node_m"] in r:
                try:
                    d = os.read(p["node_m"], 65536)
                except OSError:
                    d = b""
                if d:
                    os.write(p["can_m"], d)
                    p["line"] += d
                    while b"\r" in p["line"]:
                        line, p["line"] = p["line"].split(b"\r", 1)
                        if line[:1] in (b"S", b"O", b"C"):
                            emit({"node": i, "command": line.decode()})
            if p["can_m"] in r:
                try:
                    d = os.read(p["can_m"], 65536)
                except OSError:
                    d = b""
                if d:
                    os.write(p["node_m"], d)

threading.Thread(target=relay, daemon=True).start()
buses = [can.interface.Bus(interface="slcan", channel=os.ttyname(p["can_s"]), sleep_after_open=0) for p in pairs]
locks = [threading.Lock() for _ in buses]

def forward(i):
    while True:
        msg = buses[i].recv(timeout=0.5)
        if msg is None:
            continue
        emit({"from": i, "id": msg.arbitration_id, "extended": msg.is_extended_id, "data": bytes(msg.data).hex()})
        for j, bus in enumerate(buses):
            if j != i:
                with locks[j]:
                    bus.send(msg)

for i in range(nodes):
    threading.Thread(target=forward, args=(i,), daemon=True).start()
emit({"ports": [os.ttyname(p["node_s"]) for p in pairs], "bitrate": bitrate})
for line in sys.stdin:
    words = line.split()
    if len(words) == 2 and words[0] == "bell":
        os.write(pairs[int(words[1])]["node_m"], b"\a")
