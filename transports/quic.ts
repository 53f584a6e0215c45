// QUIC links through quinn (@chainsafe/libp2p-quic's N-API layer, loaded only when used; see
// quic-quinn.ts): a client with one connection, or a server where each connection is a Peer. The
// libp2p TLS handshake authenticates each end by its Ed25519 key; peers pin SHA-256 fingerprints of
// those keys instead of trusting a CA, checked right after the handshake, before any frame is sent.
// Frame layout per connection: quic-connection.ts.
import type { Transport, Peer } from "../core/transport";
import { HEADER_SIZE } from "../core/header";
import { CellError, ErrorCode } from "../core/errors";
import { LinkBase } from "./link-base";
import { parseHostPort, formatHostPort, HostPort } from "./address";
import { loadOrCreateIdentity, normalizeFingerprint, fingerprintOf, parseRemote, QuicIdentity } from "./quic-cert";
import { loadQuinn, Quinn, QuinnOptions, QuinnServer, QuinnClient, QuinnConnection } from "./quic-quinn";
import { QuicConnectionEnd, QuicPeer, ConnectionOwner, describe } from "./quic-connection";
import { withUdpPort } from "./udp-port-of";

export type { QuicPeer } from "./quic-connection";

interface Common {
  /** Largest frame sent or accepted (default 64 KiB + header). */
  maxFrame?: number;
  /** Folder of this machine's key (default: $CELL_CONFIG_DIR/quic or ~/.config/cell/quic). */
  identityDir?: string;
  /** Bytes a connection may hold unsent before sends are refused with Overloaded (default 4 MiB). */
  maxQueuedBytes?: number;
  /** A connection silent this long is dead, in ms (default 30000, at least 1000; keep-alive pings every third of it). */
  idleTimeoutMs?: number;
}
export interface QuicConnectOptions extends Common {
  connect: string;
  /** SHA-256 fingerprints of the server keys to accept (hex; ":" separators allowed). */
  fingerprints: string[];
  connectTimeoutMs?: number;
}
export interface QuicListenOptions extends Common {
  listen: string;
  /** Client key fingerprints to accept; absent: any client (clients still pin the server). */
  clients?: string[];
}
export type QuicOptions = QuicConnectOptions | QuicListenOptions;

export interface QuicTransport extends Transport {
  readonly mode: "connect" | "listen";
  /** This end's key fingerprint: what the other end pins. */
  readonly fingerprint: string;
  /** The server's address; a client's local port (0 where the system does not tell it). */
  readonly local: HostPort;
  /** Connected peers: the server's clients (a client has none: its one peer is the default). */
  peers(): QuicPeer[];
  /** Adds a listener told when a client's connection ends; returns its remover. */
  onPeerClose(listener: (peer: QuicPeer) => void): () => void;
}

function quinnOptions(o: Common, id: QuicIdentity, handshakeTimeout: number): QuinnOptions {
  // At least 1 s: what the stack does with 0 (no timeout? pings without pause?) is not documented.
  const idle = Math.max(1000, o.idleTimeoutMs === undefined ? 30000 : o.idleTimeoutMs);
  return {
    privateKeyProto: id.privateKeyProto,
    handshakeTimeout,
    maxIdleTimeout: idle,
    keepAliveInterval: Math.floor(idle / 3),
    // One stream each way is all a link uses; a few more let a stream closed for bad bytes be replaced.
    maxConcurrentStreamLimit: 16,
    maxStreamData: 10_000_000,
    maxConnectionData: 15_000_000,
    receiveBufferSize: 500_000,
    sendBufferSize: 500_000
  };
}

/** The peer's key fingerprint, from the peer id the handshake proved (null: no Ed25519 key). */
function remoteFingerprint(connection: QuinnConnection): string | null {
  const key = parseRemote(connection.remoteMultiaddr()).publicKey;
  return key ? fingerprintOf(key) : null;
}

class QuicLink extends LinkBase implements QuicTransport, ConnectionOwner {
  readonly maxFrame: number;
  readonly maxQueuedBytes: number;
  protected readonly label: string;
  private ends = new Map<string, QuicConnectionEnd>();
  private peerCloseListeners: ((peer: QuicPeer) => void)[] = [];
  server: QuinnServer | null = null;
  client: QuinnClient | null = null;

  constructor(
    readonly mode: "connect" | "listen",
    readonly fingerprint: string,
    readonly local: HostPort,
    o: Common,
    label: string
  ) {
    super();
    this.maxFrame = o.maxFrame || 65536 + HEADER_SIZE;
    this.maxQueuedBytes = o.maxQueuedBytes || 4 << 20;
    this.label = label;
  }

  peers(): QuicPeer[] {
    return this.mode === "listen" ? Array.from(this.ends.values(), (e) => e.peer) : [];
  }

  onPeerClose(listener: (peer: QuicPeer) => void): () => void {
    this.peerCloseListeners.push(listener);
    return () => {
      const i = this.peerCloseListeners.indexOf(listener);
      if (i >= 0) this.peerCloseListeners.splice(i, 1);
    };
  }

  received(frame: Uint8Array, from: QuicPeer | undefined): void {
    this.deliver(frame, from);
  }

  streamFailed(err: Error): void {
    this.reportError(err);
  }

  send(frame: Uint8Array, to?: Peer): void {
    this.checkSend(frame);
    if (to) {
      const end = this.ends.get(to.id);
      if (!end) throw new CellError(ErrorCode.Unreachable, `${this.label}: ${to.id} is not connected`);
      end.write(frame);
      this.countOut(frame.length);
      return;
    }
    // A client's one peer; on a server, a frame for nobody in particular (an ANNOUNCE) goes to every client.
    for (const end of this.ends.values()) {
      end.write(frame);
      this.countOut(frame.length);
    }
  }

  close(): void {
    if (!this.finish()) return;
    for (const end of this.ends.values()) {
      end.close();
      end.connection.abort();
    }
    this.ends.clear();
    this.server?.abort();
    this.client?.abort();
  }

  /** Starts reading a new connection's streams; its end goes when the connection ends. */
  attach(connection: QuinnConnection, isServer: boolean): QuicConnectionEnd {
    const remote = parseRemote(connection.remoteMultiaddr());
    const peer: QuicPeer = { id: "quic:" + formatHostPort(remote.host, remote.port), address: remote.host, port: remote.port };
    const end = new QuicConnectionEnd(connection, peer, this, isServer);
    this.ends.set(peer.id, end);
    void end.acceptStreams();
    const ended = () => {
      end.close();
      if (this.ends.get(peer.id) === end) this.ends.delete(peer.id);
      if (this.closed) return;
      if (isServer) {
        for (const listener of this.peerCloseListeners.slice()) listener(peer);
        return;
      }
      // The stack tells no reason; a server pinning its clients ends an unknown one's connection at once.
      const why =
        end.bytesIn === 0
          ? `: the server ended it before sending anything; if it pins its clients, it refused this end's certificate (it must pin ${this.fingerprint})`
          : "";
      this.reportError(new CellError(ErrorCode.LinkClosed, `${this.label}: the connection ended${why}`));
      this.close();
    };
    connection.closed().then(ended, ended);
    return end;
  }
}

async function listen(o: QuicListenOptions): Promise<QuicTransport> {
  const quinn = await loadQuinn();
  const at = parseHostPort(o.listen, "quic listen");
  const id = loadOrCreateIdentity(o.identityDir);
  const clients = o.clients ? o.clients.map(normalizeFingerprint) : null;
  let server: QuinnServer;
  try {
    server = new quinn.Server(new quinn.QuinnConfig(quinnOptions(o, id, 5000)), at.host, at.port);
  } catch (e) {
    throw new Error(`quic: cannot listen on ${o.listen}: ${describe(e)}`, { cause: e });
  }
  const link = new QuicLink("listen", id.fingerprint, { host: at.host, port: server.port() }, o, "quic server at " + o.listen);
  link.server = server;
  void (async () => {
    while (!link.closed) {
      let connection: QuinnConnection;
      try {
        connection = await server.inboundConnection();
      } catch {
        if (link.closed) return;
        continue; // a handshake that failed
      }
      if (link.closed) {
        connection.abort();
        return;
      }
      const seen = remoteFingerprint(connection);
      if (clients && (!seen || clients.indexOf(seen) < 0)) {
        connection.abort(); // before any frame either way
        continue;
      }
      link.attach(connection, true);
    }
  })();
  return link;
}

async function connect(o: QuicConnectOptions): Promise<QuicTransport> {
  if (!o.fingerprints || o.fingerprints.length === 0) {
    throw new Error("quic: a client must pin the server's key: pass fingerprints (the server's `fingerprint`)");
  }
  const pins = o.fingerprints.map(normalizeFingerprint);
  const quinn: Quinn = await loadQuinn();
  const at = parseHostPort(o.connect, "quic connect");
  const id = loadOrCreateIdentity(o.identityDir);
  const v6 = at.host.indexOf(":") >= 0;
  const config = new quinn.QuinnConfig(quinnOptions(o, id, o.connectTimeoutMs || 5000));
  const { made: client, port } = withUdpPort(() => new quinn.Client(config, v6 ? 1 : 0));
  let connection: QuinnConnection;
  try {
    connection = await client.outboundConnection(at.host, at.port);
  } catch (e) {
    client.abort();
    throw new CellError(ErrorCode.Unreachable, `quic: cannot connect to ${o.connect}: ${describe(e)}`, e);
  }
  const seen = remoteFingerprint(connection);
  if (!seen || pins.indexOf(seen) < 0) {
    connection.abort();
    client.abort();
    throw new CellError(
      ErrorCode.Unreachable,
      `quic: the server at ${o.connect} presented certificate ${seen || "(without an Ed25519 key)"}, which is not pinned`
    );
  }
  const link = new QuicLink("connect", id.fingerprint, { host: v6 ? "::" : "0.0.0.0", port }, o, "quic link to " + o.connect);
  link.client = client;
  link.attach(connection, false);
  return link;
}

/** Opens a QUIC link: `{connect, fingerprints}` or `{listen}`. */
export async function openQuic(opts: QuicOptions): Promise<QuicTransport> {
  return "listen" in opts ? listen(opts) : connect(opts);
}
