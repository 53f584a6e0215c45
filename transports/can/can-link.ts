// Cell frames over a CAN bus (spec/can.md): each frame is one ISO-TP message, sent with the id of the
// (this node, peer) pair, or with this node's functional id when it goes to all (an ANNOUNCE).
// Datagram framing (wire-format §3.2) after reassembly.
import type { Transport, Peer } from "../../core/transport";
import { checkDatagram } from "../../core/datagram";
import { countDrop } from "../../core/drops";
import { CellError, ErrorCode } from "../../core/errors";
import { LinkBase } from "../link-base";
import type { CanAdapter } from "./adapter";
import type { CanFrame } from "./frame";
import { CanDrop, CanBusError } from "./errors";
import { ALL, IdFormat, canId, checkNode, parseCanId } from "./ids";
import { parsePci, stMinByte } from "./isotp";
import { IsoTpReceiver } from "./isotp-receiver";
import { IsoTpSender } from "./isotp-sender";

export interface CanLinkOptions {
  /** This node's address on the bus: 0..14 with 11-bit ids, 0..254 with 29-bit ids. Unique per bus. */
  node: number;
  /** The id scheme (default "11-bit"). */
  ids?: IdFormat;
  /** Send CAN FD frames of up to 64 bytes (default: when the adapter can). */
  fd?: boolean;
  /** Largest frame (header ‖ payload) sent or accepted (default 1044, the device default). */
  maxFrame?: number;
  /** BS asked of senders: consecutive frames between flow controls (default 0: one FC per message). */
  blockSize?: number;
  /** STmin asked of senders, in ms (default 0), and the gap of this node's messages to all. */
  stMinMs?: number;
  /** N_Bs: how long to wait for flow control (default 1000 ms). */
  flowControlTimeoutMs?: number;
  /** N_Cr: how long to wait for the next consecutive frame (default 1000 ms). */
  frameTimeoutMs?: number;
  /** Messages waiting per destination before send throws Overloaded (default 64). */
  maxQueued?: number;
  /** After bus-off, sends fail at once until a frame is heard or this long has passed (default 1000 ms). */
  busOffRecoveryMs?: number;
}

export interface CanPeer extends Peer {
  /** The peer's node address. */
  readonly node: number;
}

export class CanLink extends LinkBase implements Transport {
  readonly maxFrame: number;
  readonly node: number;
  readonly ids: IdFormat;
  readonly txDl: number;
  /** CAN frames put on and taken off the bus (stats counts Cell frames). */
  canFramesOut = 0;
  canFramesIn = 0;
  protected readonly label: string;
  private readonly peers = new Map<number, CanPeer>();
  private readonly senders = new Map<number, IsoTpSender>();
  private readonly receivers = new Map<number, IsoTpReceiver>();
  private busOff = false;
  private busOffTimer: ReturnType<typeof setTimeout> | null = null;
  private conflictReported = false;

  constructor(
    private readonly adapter: CanAdapter,
    private readonly o: CanLinkOptions
  ) {
    super();
    this.ids = o.ids ?? "11-bit";
    checkNode(o.node, this.ids);
    this.node = o.node;
    this.maxFrame = o.maxFrame ?? 1044;
    if (o.fd && !adapter.fd) throw new Error(`can: ${adapter.name} does not carry CAN FD frames`);
    this.txDl = (o.fd ?? adapter.fd) ? 64 : 8;
    this.label = `can ${adapter.name} node ${o.node}`;
    adapter.onFrame((f) => this.heard(f));
    adapter.onError((err) => this.adapterError(err));
    adapter.onClose(() => this.closed || this.shutdown());
  }

  /** The peer object of a node address (stable per address), to send to a node not heard from yet. */
  peer(node: number): CanPeer {
    checkNode(node, this.ids, "peer");
    let p = this.peers.get(node);
    if (!p) {
      p = { id: `can:${node}`, node };
      this.peers.set(node, p);
    }
    return p;
  }

  /** Sends a frame to one peer, or without `to` to every node (functional id, no flow control). */
  send(frame: Uint8Array, to?: Peer): void {
    this.checkSend(frame);
    if (this.busOff) throw new CellError(ErrorCode.Unreachable, `${this.label}: the CAN controller is bus-off`);
    const node = to === undefined ? ALL : (to as CanPeer).node;
    if (to !== undefined && this.peers.get(node) !== to)
      throw new CellError(ErrorCode.Unreachable, `${this.label}: ${to.id} is not a peer of this link`);
    this.sender(node).enqueue(frame);
    this.stats.framesOut++;
  }

  close(): void {
    if (this.closed) return;
    this.shutdown();
    this.adapter.close();
  }

  private shutdown(): void {
    if (this.busOffTimer !== null) clearTimeout(this.busOffTimer);
    for (const s of this.senders.values()) s.abortAll();
    for (const r of this.receivers.values()) r.close();
    this.finish();
  }

  private sender(node: number): IsoTpSender {
    let s = this.senders.get(node);
    if (!s) {
      const id = canId(this.ids, this.node, node);
      const o = this.o;
      s = new IsoTpSender(
        {
          txDl: this.txDl,
          nBsMs: o.flowControlTimeoutMs ?? 1000,
          maxWaits: 10,
          maxQueued: o.maxQueued ?? 64,
          functional: node === ALL,
          functionalStMinMs: o.stMinMs ?? 0,
          label: node === ALL ? "all nodes" : `node ${node}`
        },
        (data) => this.put(id, data),
        (err, reason) => {
          countDrop(this.stats, reason);
          this.reportError(err);
        }
      );
      this.senders.set(node, s);
    }
    return s;
  }

  private receiver(src: number, dst: number): IsoTpReceiver {
    const key = dst === ALL ? -1 - src : src;
    let r = this.receivers.get(key);
    if (!r) {
      const fcId = canId(this.ids, this.node, src);
      const from = this.peer(src);
      r = new IsoTpReceiver(
        {
          maxMessage: this.maxFrame,
          blockSize: this.o.blockSize ?? 0,
          stMin: stMinByte(this.o.stMinMs ?? 0),
          nCrMs: this.o.frameTimeoutMs ?? 1000
        },
        dst === ALL ? null : (data) => this.putQuietly(fcId, data),
        (message) => this.message(message, from),
        (reason) => countDrop(this.stats, reason)
      );
      this.receivers.set(key, r);
    }
    return r;
  }

  private put(id: number, data: Uint8Array): void {
    if (this.closed) throw new CellError(ErrorCode.LinkClosed, `${this.label} is closed`);
    const frame: CanFrame = { id, extended: this.ids === "29-bit", data };
    if (this.txDl > 8) frame.fd = true;
    this.adapter.send(frame);
    this.canFramesOut++;
    this.stats.bytesOut += data.length; // bytes on the bus; Cell frames are counted in send()
  }

  /** Flow control: an adapter error is reported, the sender's N_Bs timeout does the rest. */
  private putQuietly(id: number, data: Uint8Array): void {
    try {
      this.put(id, data);
    } catch (e) {
      this.reportError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private heard(f: CanFrame): void {
    if (this.closed) return;
    this.busOff = false; // the controller hears the bus again
    const addr = parseCanId(this.ids, f.id, f.extended);
    if (!addr) return; // other traffic on the bus
    if (addr.src === this.node) {
      countDrop(this.stats, CanDrop.AddressConflict);
      if (!this.conflictReported)
        this.reportError(new Error(`${this.label}: another node sends with this node's address ${this.node}; give each node its own`));
      this.conflictReported = true;
      return;
    }
    if (addr.dst !== ALL && addr.dst !== this.node) return; // between two other nodes
    this.canFramesIn++;
    this.stats.bytesIn += f.data.length;
    const pci = parsePci(f.data);
    if (pci.type === "bad") return countDrop(this.stats, pci.reason);
    if (pci.type === "FC") {
      const s = addr.dst === ALL ? undefined : this.senders.get(addr.src);
      if (!s || !s.flowControl(pci.fs, pci.bs, pci.stMin)) countDrop(this.stats, CanDrop.UnexpectedFrame);
      return;
    }
    this.receiver(addr.src, addr.dst).frame(pci);
  }

  private message(message: Uint8Array, from: CanPeer): void {
    const before = this.stats.bytesIn;
    const ok = checkDatagram(message, this.maxFrame, this.stats);
    this.stats.bytesIn = before; // counted per CAN frame in heard()
    if (ok) this.deliver(message, from);
  }

  private adapterError(err: Error): void {
    if (err instanceof CanBusError || (err as { name?: string }).name === "CanBusError") {
      const busOff = (err as CanBusError).busOff;
      let dropped = 0;
      for (const s of this.senders.values()) {
        if (busOff) dropped += s.abortAll();
        else if (s.abortCurrent()) dropped++;
      }
      for (let i = 0; i < dropped; i++) countDrop(this.stats, CanDrop.BusError);
      if (busOff) {
        // Until the controller hears the bus again, or has had time to recover (128 × 11 recessive bits).
        this.busOff = true;
        if (this.busOffTimer !== null) clearTimeout(this.busOffTimer);
        this.busOffTimer = setTimeout(() => ((this.busOffTimer = null), (this.busOff = false)), this.o.busOffRecoveryMs ?? 1000);
      }
      this.reportError(
        new CellError(
          ErrorCode.Unreachable,
          `${this.label}: ${err.message}${dropped ? `; ${dropped} message${dropped > 1 ? "s" : ""} dropped` : ""}`,
          err
        )
      );
      return;
    }
    this.reportError(err);
  }
}

/** Opens a CAN link over an adapter. */
export function canLink(adapter: CanAdapter, opts: CanLinkOptions): CanLink {
  return new CanLink(adapter, opts);
}
