// The device's MAVLink link (spec/mavlink.md), for a board wired to a flight controller's TELEM port:
// HEARTBEAT and TUNNEL out, TUNNEL in, CRC-16/MCRF4XX with CRC_EXTRA, the 4-byte fragment header and its
// reassembly rules. Written for size and small engines (ES5, no Math.imul, no Map): fixed buffers, one
// byte at a time. Other MAVLink traffic is skipped by its length; signing is the host's (it needs SHA-256).
import type { Peer } from "../transport";
import type { SerialPort } from "./stream";
import { LiteLink } from "./bytes";
import { CHUNKS } from "./features";

/** What `drops[i]` counts. */
export var MAVLINK_DROPS = ["BadCrc", "BadFragment", "DuplicateFragment", "FragmentLost", "TooShort", "TooLong", "BadFrame"];

export interface LiteMavlinkLink extends LiteLink {
  readonly drops: number[];
  /** Sends one HEARTBEAT (MAV_TYPE_ONBOARD_CONTROLLER): call it once a second. */
  heartbeat(): void;
}

/** One step of CRC-16/MCRF4XX (MAVLink's X.25 accumulate). */
function acc(b: number, crc: number): number {
  var t = (b ^ crc) & 255;
  t = (t ^ (t << 4)) & 255;
  return ((crc >> 8) ^ (t << 8) ^ (t << 3) ^ (t >> 4)) & 0xffff;
}

/** `sys`/`comp`: this board's MAVLink ids (e.g. 1 and 191). */
export function mavlinkLink(port: SerialPort, maxFrame: number, sys: number, comp: number): LiteMavlinkLink {
  var pkt = new Uint8Array(280),
    n = 0,
    want = 10,
    tx = new Uint8Array(145),
    seq = 0,
    fseq = 0;
  var buf = new Uint8Array(maxFrame),
    cur = -1,
    total = 0,
    next = 0,
    src = -1,
    done = -1,
    drops = [0, 0, 0, 0, 0, 0, 0];
  var listener: (frame: Uint8Array, from?: Peer) => void,
    last = 0,
    lastPeer: any;

  /** Payload byte i of the packet in pkt (MAVLink v2 cuts trailing zeros). */
  function p(i: number): number {
    return i < pkt[1] ? pkt[10 + i] : 0;
  }

  function packet(): void {
    var len = pkt[1],
      id = pkt[7] | (pkt[8] << 8) | (pkt[9] << 16),
      crc = 0xffff,
      i: number;
    if (id != 385) return; // not ours: HEARTBEATs and telemetry are the flight controller's business
    for (i = 1; i < 10 + len; i++) crc = acc(pkt[i], crc);
    if (acc(147, crc) != (pkt[10 + len] | (pkt[11 + len] << 8))) return void drops[0]++;
    if ((p(0) | (p(1) << 8)) != 0xce11 || (p(2) && p(2) != sys) || (p(3) && p(3) != comp)) return;
    var plen = p(4),
      s = pkt[5] * 256 + pkt[6],
      fs = p(5),
      idx = p(6),
      tot = p(7) | (p(8) << 8),
      at = idx * 124;
    if (plen < 4 || plen > 128 || (tot >= 20 && tot <= maxFrame && (at >= tot || plen - 4 != Math.min(124, tot - at))))
      return void drops[1]++;
    if (tot < 20) return void drops[4]++;
    if (tot > maxFrame) return void drops[5]++;
    if (s != src) {
      // One frame in progress at a time: another source's fragment abandons it.
      if (cur >= 0) drops[3]++;
      cur = done = -1;
      src = s;
    }
    if (fs == done) return void drops[2]++;
    if (cur >= 0) {
      if (fs == cur && tot == total && idx < next) return void drops[2]++;
      if (fs != cur || tot != total || idx != next) {
        drops[3]++;
        cur = -1;
      }
    }
    if (cur < 0) {
      if (idx) return void drops[3]++;
      cur = fs;
      total = tot;
    }
    for (i = 0; i < plen - 4; i++) buf[at + i] = p(9 + i);
    next = idx + 1;
    if (at + 124 < tot) return;
    cur = -1;
    done = fs;
    // As a datagram: magic, version, kind, length (wire-format.md §3.2).
    if (buf[0] != 0xce || buf[1] != 1 || (buf[2] & 15) > 5 || (buf[16] | (buf[17] << 8) | (buf[18] << 16) | (buf[19] << 24)) != tot - 20)
      return void drops[6]++;
    if (last != s || !lastPeer) lastPeer = { id: "mavlink:" + pkt[5] + "/" + pkt[6], system: pkt[5], component: pkt[6] };
    last = s;
    if (listener) listener(buf.subarray(0, tot), lastPeer);
  }

  /** Sends the message whose `size` payload bytes are in tx from offset 10. */
  function send(id: number, extra: number, size: number): void {
    while (size > 1 && !tx[9 + size]) size--;
    tx[0] = 0xfd;
    tx[1] = size;
    tx[2] = tx[3] = 0;
    tx[4] = seq++;
    tx[5] = sys;
    tx[6] = comp;
    tx[7] = id;
    tx[8] = id >> 8;
    tx[9] = 0;
    for (var crc = 0xffff, i = 1; i < 10 + size; i++) crc = acc(tx[i], crc);
    crc = acc(extra, crc);
    tx[10 + size] = crc;
    tx[11 + size] = crc >> 8;
    port.write(tx.subarray(0, 12 + size));
  }

  port.on("data", function (chunk: any) {
    for (var i = 0; i < chunk.length; i++) {
      var c = CHUNKS & 2 && (CHUNKS & 1 ? typeof chunk == "string" : 1) ? chunk.charCodeAt(i) : chunk[i];
      if (!n && c != 0xfd) continue; // only MAVLink v2; anything else is skipped up to a start byte
      pkt[n++] = c;
      if (n == 10) want = 12 + pkt[1] + (pkt[2] & 1 ? 13 : 0);
      if (n >= 10 && n == want) {
        n = 0;
        packet();
      }
    }
  });

  return {
    maxFrame: maxFrame,
    drops: drops,
    send: function (frame: Uint8Array, to?: Peer) {
      var t = to as any,
        total = frame.length,
        k = frame[2] & 15,
        at = 0,
        i: number,
        c: number;
      if (total > maxFrame) throw 7;
      // ANNOUNCE and EVENT go to everyone; answers to the peer asked (or the last one heard from).
      var ts = k == 5 || k == 3 ? 0 : t ? t.system : last >> 8,
        tc = k == 5 || k == 3 ? 0 : t ? t.component : last & 255;
      for (i = 0; at < total; i++, at += 124) {
        c = Math.min(124, total - at);
        tx[10] = 0x11;
        tx[11] = 0xce;
        tx[12] = ts;
        tx[13] = tc;
        tx[14] = c + 4;
        tx[15] = fseq;
        tx[16] = i;
        tx[17] = total;
        tx[18] = total >> 8;
        tx.set(frame.subarray(at, at + c), 19);
        for (var j = 19 + c; j < 143; j++) tx[j] = 0;
        send(385, 147, 133);
      }
      fseq = (fseq + 1) & 255;
    },
    onFrame: function (l: (frame: Uint8Array, from?: Peer) => void) {
      listener = l;
    },
    heartbeat: function () {
      // custom_mode 0, type 18 (onboard controller), autopilot 8 (invalid), base_mode 0, state 4 (active), version 3
      for (var i = 10; i < 19; i++) tx[i] = 0;
      tx[14] = 18;
      tx[15] = 8;
      tx[17] = 4;
      tx[18] = 3;
      send(0, 50, 9);
    }
  };
}
