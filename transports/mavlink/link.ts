// A Cell link over MAVLink v2 (spec/mavlink.md): frames in TUNNEL fragments to (system, component)
// peers, HEARTBEATs as our own component, peers forgotten when they fall silent, and every packet that
// is not ours handed on untouched (onPacket) for a bridge to forward.
import type { Peer, Transport } from "../../core/transport";
import { countDrop } from "../../core/drops";
import { CellError, ErrorCode } from "../../core/errors";
import { LinkBase } from "../link-base";
import type { Carrier } from "./carriers";
import { Mavlink, PacketWriter, Packet, packetReader, readTunnel, MSG_HEARTBEAT, MSG_TUNNEL } from "./codec";
import { CELL_PAYLOAD_TYPE, MAVLINK_MAX_FRAME, MavlinkDrop, Reassembler, fragmentFrame } from "./fragments";
import { Signer, SigningOptions } from "./signing";

export interface MavlinkPeer extends Peer {
  readonly system: number;
  readonly component: number;
}

export interface MavlinkOptions {
  /** Our MAVLink system id (default 1: the vehicle a companion computer sits on). */
  system?: number;
  /** Our component id (default 191, MAV_COMP_ID_ONBOARD_COMPUTER). */
  component?: number;
  /** Largest frame (default 1044, the device default; at most 65535). */
  maxFrame?: number;
  /** HEARTBEAT period in ms (default 1000; 0: none). */
  heartbeatMs?: number;
  /** A peer heard from neither by HEARTBEAT nor TUNNEL for this long is forgotten (default 5000 ms). */
  peerTimeoutMs?: number;
  /** A frame whose fragments do not all arrive in this time is dropped (default 2000 ms). */
  reassemblyTimeoutMs?: number;
  /** Sign what we send, check what we take (spec/mavlink.md §4). */
  signing?: SigningOptions;
}

export interface MavlinkTransport extends Transport {
  readonly system: number;
  readonly component: number;
  readonly label: string;
  /** Peers heard from and not yet forgotten. */
  peers(): MavlinkPeer[];
  /** The peer at system/component, to send to one not heard from yet. */
  peer(system: number, component: number): MavlinkPeer;
  onPeerClose(listener: (peer: MavlinkPeer) => void): () => void;
  /** Adds a listener of every valid packet that is not ours, as the exact bytes received. */
  onPacket(listener: (bytes: Uint8Array) => void): () => void;
  /** Writes a whole MAVLink packet as it is (forwarded traffic) to every endpoint. */
  sendRaw(bytes: Uint8Array): void;
  /** Packets read, ours or not. */
  readonly packetsIn: number;
}

interface Known {
  peer: MavlinkPeer;
  endpoint: string;
  heardAt: number;
}

const MAX_PEERS = 256;

export class MavlinkLink extends LinkBase implements MavlinkTransport {
  readonly maxFrame: number;
  readonly system: number;
  readonly component: number;
  readonly label: string;
  packetsIn = 0;
  private readonly writer: PacketWriter;
  private readonly signer: Signer | null;
  private readonly reassembler: Reassembler;
  private readonly reader: ReturnType<typeof packetReader>;
  private known = new Map<string, Known>();
  private peerCloseListeners: ((peer: MavlinkPeer) => void)[] = [];
  private packetListeners: ((bytes: Uint8Array) => void)[] = [];
  private frameSeq = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private readonly peerTimeoutMs: number;
  private warnedSameIds = false;

  constructor(
    private readonly m: Mavlink,
    private readonly carrier: Carrier,
    o: MavlinkOptions
  ) {
    super();
    this.system = o.system ?? 1;
    this.component = o.component ?? 191;
    this.maxFrame = Math.min(o.maxFrame || 1044, MAVLINK_MAX_FRAME);
    this.label = carrier.label;
    this.peerTimeoutMs = o.peerTimeoutMs || 5000;
    this.signer = o.signing ? new Signer(m, o.signing) : null;
    this.writer = new PacketWriter(m, this.system, this.component, this.signer !== null);
    this.reassembler = new Reassembler({ maxFrame: this.maxFrame, timeoutMs: o.reassemblyTimeoutMs }, this.stats);
    this.reader = packetReader(
      m,
      (p) => this.packet(p),
      (why) => countDrop(this.stats, why)
    );
    carrier.onData((bytes, endpoint) => this.receive(bytes, endpoint));
    carrier.onError((err) => this.reportError(err));
    carrier.onClose(() => this.shut());
    const heartbeatMs = o.heartbeatMs ?? 1000;
    if (heartbeatMs > 0) {
      this.heartbeat();
      this.timers.push(setInterval(() => this.heartbeat(), heartbeatMs));
    }
    this.timers.push(setInterval(() => this.expire(), Math.max(50, Math.min(1000, this.peerTimeoutMs / 4))));
    for (const t of this.timers) t.unref();
  }

  peers(): MavlinkPeer[] {
    return Array.from(this.known.values(), (k) => k.peer);
  }

  peer(system: number, component: number): MavlinkPeer {
    const k = this.known.get(system + "/" + component);
    return k ? k.peer : { id: `mavlink:${system}/${component}`, system, component };
  }

  onPeerClose(listener: (peer: MavlinkPeer) => void): () => void {
    this.peerCloseListeners.push(listener);
    return () => (this.peerCloseListeners = this.peerCloseListeners.filter((l) => l !== listener));
  }

  onPacket(listener: (bytes: Uint8Array) => void): () => void {
    this.packetListeners.push(listener);
    return () => (this.packetListeners = this.packetListeners.filter((l) => l !== listener));
  }

  send(frame: Uint8Array, to?: Peer): void {
    this.checkSend(frame);
    const peer = to as MavlinkPeer | undefined;
    let endpoint: string | undefined;
    if (peer) {
      if (typeof peer.system !== "number" || typeof peer.component !== "number")
        throw new CellError(ErrorCode.Unreachable, `${this.label}: ${peer.id} is not a MAVLink peer`);
      // A peer not heard from yet is reached as MAVLink reaches anyone: the packet goes everywhere, addressed.
      const k = this.known.get(peer.system + "/" + peer.component);
      endpoint = k ? k.endpoint : undefined;
    }
    let bytes = 0;
    for (const payload of fragmentFrame(frame, this.frameSeq)) {
      const packet = this.outgoing(this.writer.tunnel(peer ? peer.system : 0, peer ? peer.component : 0, payload));
      this.carrier.write(packet, endpoint);
      bytes += packet.length;
    }
    this.frameSeq = (this.frameSeq + 1) & 255;
    this.countOut(bytes);
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.closed) this.carrier.write(bytes);
  }

  close(): void {
    this.carrier.close();
    this.shut();
  }

  private shut(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.finish();
  }

  private outgoing(packet: Buffer): Buffer {
    return this.signer ? this.signer.sign(packet) : packet;
  }

  private heartbeat(): void {
    if (this.closed) return;
    try {
      this.carrier.write(this.outgoing(this.writer.heartbeat()));
    } catch (e) {
      this.reportError(e as Error); // a serial port away: the next heartbeat tries again
    }
  }

  private endpoint = "";
  private receive(bytes: Uint8Array, endpoint: string): void {
    if (this.closed) return;
    this.stats.bytesIn += bytes.length;
    this.endpoint = endpoint;
    this.reader.feed(bytes);
    if (this.carrier.datagram) this.reader.reset();
  }

  private packet(p: Packet): void {
    this.packetsIn++;
    if (p.sysid === this.system && p.compid === this.component) {
      // Our own, echoed by a router, or another node given our ids: say so once, it cannot work.
      countDrop(this.stats, "SameIds");
      if (!this.warnedSameIds && p.msgid === MSG_HEARTBEAT) {
        this.warnedSameIds = true;
        this.reportError(
          new Error(
            `${this.label}: another node sends HEARTBEATs as ${this.system}/${this.component}, this link's own MAVLink ids: give one of them other ids`
          )
        );
      }
      return;
    }
    if (p.msgid === MSG_TUNNEL && p.bytes[0] === 0xfd) {
      const t = readTunnel(this.m, p);
      const forUs =
        (t.targetSystem === 0 || t.targetSystem === this.system) && (t.targetComponent === 0 || t.targetComponent === this.component);
      if (forUs && t.payloadType === CELL_PAYLOAD_TYPE) return this.tunnel(p, t.payload);
      if (t.targetSystem === this.system && t.targetComponent === this.component) return countDrop(this.stats, MavlinkDrop.BadPayloadType);
    } else if (p.msgid === MSG_HEARTBEAT && this.signer === null) {
      this.heard(p);
    } else if (p.msgid === MSG_HEARTBEAT && this.signer && this.signer.check(p.bytes, p.signed, p.sysid, p.compid) === null) {
      this.heard(p);
    }
    for (const l of this.packetListeners) l(p.bytes);
  }

  private tunnel(p: Packet, payload: Uint8Array): void {
    if (this.signer) {
      const why = this.signer.check(p.bytes, p.signed, p.sysid, p.compid);
      if (why) return countDrop(this.stats, why);
    }
    const from = this.heard(p);
    const frame = this.reassembler.feed(from.id, payload);
    if (frame) this.deliver(frame, from);
  }

  private heard(p: Packet): MavlinkPeer {
    const key = p.sysid + "/" + p.compid;
    let k = this.known.get(key);
    if (k) this.known.delete(key);
    else {
      k = { peer: { id: `mavlink:${key}`, system: p.sysid, component: p.compid }, endpoint: this.endpoint, heardAt: 0 };
      if (this.known.size >= MAX_PEERS) this.forget(this.known.values().next().value!);
    }
    k.endpoint = this.endpoint;
    k.heardAt = Date.now();
    this.known.set(key, k);
    return k.peer;
  }

  private expire(): void {
    this.reassembler.expire();
    const since = Date.now() - this.peerTimeoutMs;
    for (const k of Array.from(this.known.values())) if (k.heardAt < since) this.forget(k);
  }

  private forget(k: Known): void {
    this.known.delete(k.peer.system + "/" + k.peer.component);
    this.reassembler.forget(k.peer.id);
    for (const l of this.peerCloseListeners.slice()) l(k.peer);
  }
}
