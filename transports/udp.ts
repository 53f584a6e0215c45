// UDP links, one frame per datagram (spec/wire-format.md §3.2): a client connected to one address, a
// server where each remote address:port is a Peer, and multicast for LAN discovery (ANNOUNCE).
import { createSocket, Socket, RemoteInfo } from "node:dgram";
import { isIPv6 } from "node:net";
import { networkInterfaces } from "node:os";
import type { Transport, Peer } from "../core/transport";
import { checkDatagram } from "../core/datagram";
import { CellError, ErrorCode } from "../core/errors";
import { LinkBase } from "./link-base";
import { parseHostPort, formatHostPort, HostPort } from "./address";
import { UdpPeers, UdpPeer } from "./udp-peers";
import { osReceiveDrops } from "./udp-drops";

export type { UdpPeer } from "./udp-peers";

/** The largest UDP payload over IPv4: the most a datagram frame can be. */
export const UDP_MAX_FRAME = 65507;

interface Common {
  /** Largest frame sent or accepted (default and at most 65507). */
  maxFrame?: number;
  /** Most remote addresses remembered as peers; the longest silent is forgotten first (default 4096). */
  maxPeers?: number;
  /** A server's frames for no peer in particular (ANNOUNCEs) go to peers heard within this time (default 60 s). */
  peerTtlMs?: number;
  /** The clock peers are timed with, in ms (default Date.now; tests pass their own). */
  now?: () => number;
  /**
   * SO_RCVBUF asked for (default 4 MiB; the OS caps it, on Linux at net.core.rmem_max): at the usual
   * default of 212,992 bytes a burst of requests overflows it and the OS drops them unseen.
   */
  receiveBufferBytes?: number;
}
/** A client: talks to one server, hears only from it. */
export interface UdpConnectOptions extends Common {
  connect: string;
  /** Local address to send from (default any, port chosen by the system). */
  bind?: string;
}
/** A server: binds host:port; each remote address:port it hears from is a Peer. */
export interface UdpListenOptions extends Common {
  listen: string;
}
/** Joins group:port (e.g. 239.255.67.1:7422) for discovery; sends without a peer go to the group. */
export interface UdpMulticastOptions extends Common {
  multicast: string;
  /** The interface address to join and send on, e.g. 127.0.0.1 (default: the system's choice). */
  interface?: string;
  /** Hops a multicast datagram may take (default 1: this network only). */
  ttl?: number;
}
export type UdpOptions = UdpConnectOptions | UdpListenOptions | UdpMulticastOptions;

export interface UdpTransport extends Transport {
  readonly mode: "connect" | "listen" | "multicast";
  /** The local address frames are sent from (and, but for multicast, received on). */
  readonly local: HostPort;
  /** The Peer at "host:port", to send to an address not heard from yet. */
  peer(address: string): UdpPeer;
  /** Peers heard from (listen, multicast); a client has none. */
  peers(): UdpPeer[];
  /** The receive buffer the OS gave (bytes). */
  readonly receiveBufferSize: number;
  /** Datagrams the OS dropped on this link's port for a full receive buffer, or null where it does not say. */
  osReceiveDrops(): number | null;
}

const DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;

function udpSocket(type: "udp4" | "udp6", o: Common, reuseAddr = false): Socket {
  return createSocket({ type, reuseAddr, recvBufferSize: o.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER });
}

function bindSocket(socket: Socket, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new Error(`udp: cannot bind ${formatHostPort(host || "0.0.0.0", port)}: ${err.message}`, { cause: err }));
    socket.once("error", onError);
    socket.bind(port, host, () => {
      socket.off("error", onError);
      resolve();
    });
  });
}

/** Runs `open`; when it fails, closes the socket before passing the error on. */
async function closedOnFailure(socket: Socket, open: () => Promise<void>): Promise<void> {
  try {
    await open();
  } catch (e) {
    try {
      socket.close();
    } catch {
      // already closed
    }
    throw e;
  }
}

function localAddresses(): Set<string> {
  const out = new Set<string>(["127.0.0.1", "::1"]);
  for (const list of Object.values(networkInterfaces())) for (const a of list || []) out.add(a.address);
  return out;
}

class UdpLink extends LinkBase implements UdpTransport {
  readonly maxFrame: number;
  protected readonly label: string;
  private readonly peerTable: UdpPeers;
  private readonly peerTtlMs: number;
  private readonly now: () => number;
  /** Where a send without a peer goes: the server (connect), the group (multicast), or every peer (listen). */
  private defaultTarget: HostPort | null = null;
  private ownAddresses: Set<string> | null = null;
  private ownPort = -1;
  private groupSocket: Socket | null = null;

  constructor(
    readonly mode: "connect" | "listen" | "multicast",
    private readonly socket: Socket,
    o: Common,
    label: string
  ) {
    super();
    this.maxFrame = Math.min(o.maxFrame || UDP_MAX_FRAME, UDP_MAX_FRAME);
    this.peerTable = new UdpPeers(o.maxPeers || 4096);
    this.peerTtlMs = o.peerTtlMs ?? 60000;
    this.now = o.now ?? Date.now;
    this.label = label;
    socket.on("message", (msg, rinfo) => this.receive(msg, rinfo));
    socket.on("error", (err) => this.reportError(err));
  }

  get local(): HostPort {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  static async open(o: UdpOptions): Promise<UdpLink> {
    if ("connect" in o) {
      const target = parseHostPort(o.connect, "udp connect");
      const socket = udpSocket(isIPv6(target.host) ? "udp6" : "udp4", o);
      const link = new UdpLink("connect", socket, o, "udp link to " + o.connect);
      const local = o.bind ? parseHostPort(o.bind, "udp bind") : null;
      // A socket left open after a failed bind or connect (an unknown host) would keep the process alive.
      await closedOnFailure(socket, async () => {
        await bindSocket(socket, local ? local.port : 0, local ? local.host : undefined);
        await new Promise<void>((resolve, reject) => {
          socket.connect(target.port, target.host, (err?: Error) =>
            err ? reject(new Error(`udp: cannot connect to ${o.connect}: ${err.message}`, { cause: err })) : resolve()
          );
        });
      });
      link.defaultTarget = target;
      return link;
    }
    if ("listen" in o) {
      const at = parseHostPort(o.listen, "udp listen");
      const socket = udpSocket(isIPv6(at.host) ? "udp6" : "udp4", o);
      const link = new UdpLink("listen", socket, o, "udp server at " + o.listen);
      await closedOnFailure(socket, () => bindSocket(socket, at.port, at.host));
      return link;
    }
    return UdpLink.openMulticast(o);
  }

  /**
   * Two sockets: the group socket (shared port, reuseAddr) only listens; sends go from a socket of
   * our own, so that each instance has its own source address, answers to it come back to it, and our
   * own looped-back multicast can be told apart.
   */
  private static async openMulticast(o: UdpMulticastOptions): Promise<UdpLink> {
    const group = parseHostPort(o.multicast, "udp multicast");
    const type = isIPv6(group.host) ? "udp6" : "udp4";
    const sender = createSocket(type);
    const link = new UdpLink("multicast", sender, o, "udp multicast " + o.multicast);
    const listener = udpSocket(type, o, true);
    listener.on("message", (msg, rinfo) => link.receive(msg, rinfo));
    listener.on("error", (err) => link.reportError(err));
    try {
      await bindSocket(listener, group.port, undefined);
      listener.addMembership(group.host, o.interface);
      await bindSocket(sender, 0, o.interface);
      if (o.interface) sender.setMulticastInterface(o.interface);
      sender.setMulticastLoopback(true); // other instances on this host hear us too
      sender.setMulticastTTL(o.ttl || 1);
    } catch (e) {
      listener.close();
      sender.close();
      throw new Error(`udp: cannot join multicast ${o.multicast}${o.interface ? " on " + o.interface : ""}: ${(e as Error).message}`, {
        cause: e
      });
    }
    link.groupSocket = listener;
    link.defaultTarget = group;
    link.ownAddresses = o.interface ? new Set([o.interface]) : localAddresses();
    link.ownPort = sender.address().port;
    return link;
  }

  get receiveBufferSize(): number {
    return (this.groupSocket || this.socket).getRecvBufferSize();
  }

  osReceiveDrops(): number | null {
    if (this.closed) return null;
    return osReceiveDrops((this.groupSocket || this.socket).address().port);
  }

  peer(address: string): UdpPeer {
    const at = parseHostPort(address, "udp peer");
    return this.peerTable.get(at.host, at.port);
  }

  peers(): UdpPeer[] {
    return this.peerTable.list();
  }

  send(frame: Uint8Array, to?: Peer): void {
    this.checkSend(frame);
    const copy = Buffer.from(frame); // the socket sends later; the caller reuses its buffer
    if (this.mode === "connect") {
      this.out(copy);
      this.countOut(copy.length);
      return;
    }
    const peer = to as UdpPeer | undefined;
    if (peer) {
      if (typeof peer.address !== "string" || typeof peer.port !== "number")
        throw new CellError(ErrorCode.Unreachable, `${this.label}: ${peer.id} is not a UDP peer`);
      this.out(copy, peer.port, peer.address);
      this.countOut(copy.length);
    } else if (this.defaultTarget) {
      this.out(copy, this.defaultTarget.port, this.defaultTarget.host);
      this.countOut(copy.length);
    } else {
      // A server has no default peer: a frame for nobody in particular (an ANNOUNCE) goes to the peers
      // heard from lately, not to every address that ever sent one datagram (a finished `cell ls`).
      for (const p of this.peerTable.heardSince(this.now() - this.peerTtlMs)) {
        this.out(copy, p.port, p.address);
        this.countOut(copy.length);
      }
    }
  }

  // No send callback: Node calls each one on a process.nextTick of its own, a cost on every frame; flush()
  // reads the socket's queue instead. The callback ignored errors; a failed host-name lookup now reaches onError.
  private out(copy: Buffer, port?: number, address?: string): void {
    if (port === undefined) this.socket.send(copy);
    else this.socket.send(copy, port, address);
  }

  /** Resolves once every datagram sent so far is out (closing first would cancel them). */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      // A send to an address joins the socket's queue after its lookup, on the next tick: look after those.
      const check = (): void => {
        if (this.closed || this.socket.getSendQueueCount() === 0) resolve();
        else setTimeout(check, 1);
      };
      setImmediate(check);
    });
  }

  close(): void {
    if (!this.finish()) return;
    this.socket.close();
    if (this.groupSocket) this.groupSocket.close();
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    if (this.ownAddresses && rinfo.port === this.ownPort && this.ownAddresses.has(rinfo.address)) return; // our own multicast, looped back
    if (!checkDatagram(msg, this.maxFrame, this.stats)) return;
    this.deliver(msg, this.mode === "connect" ? undefined : this.peerTable.heard(rinfo.address, rinfo.port, this.now()));
  }
}

/** Opens a UDP link: `{connect}`, `{listen}` or `{multicast}`; a bare "host:port" string connects. */
export async function openUdp(opts: UdpOptions | string): Promise<UdpTransport> {
  return UdpLink.open(typeof opts === "string" ? { connect: opts } : opts);
}
