// QUIC links through @matrixai/quic (ESM, loaded only when used): a client with one connection, or a
// server where each connection is a Peer. TLS with a self-signed certificate per machine; peers pin
// SHA-256 fingerprints instead of trusting a CA. Frame layout per connection: quic-connection.ts.
import type * as QuicModule from "@matrixai/quic";
import type { QUICConnection, QUICStream, QUICServer, QUICClient } from "@matrixai/quic";
import type { Transport, Peer } from "../core/transport";
import { HEADER_SIZE } from "../core/header";
import { CellError, ErrorCode } from "../core/errors";
import { LinkBase } from "./link-base";
import { loadOptional } from "./optional";
import { parseHostPort, formatHostPort, HostPort } from "./address";
import { loadOrCreateIdentity, normalizeFingerprint, QuicIdentity } from "./quic-cert";
import { clientCrypto, serverCrypto, pinCheck } from "./quic-crypto";
import { QuicConnectionEnd, QuicPeer, ConnectionOwner, describe } from "./quic-connection";

export type { QuicPeer } from "./quic-connection";

interface Common {
  /** Largest frame sent or accepted (default 64 KiB + header). Each stream read holds one buffer this big. */
  maxFrame?: number;
  /** Folder of this machine's certificate (default: $CELL_CONFIG_DIR/quic or ~/.config/cell/quic). */
  identityDir?: string;
  /** Bytes a connection may hold unsent before sends are refused with Overloaded (default 4 MiB). */
  maxQueuedBytes?: number;
  /** A connection silent this long is dead, in ms (default 30000; keep-alive pings every third of it). */
  idleTimeoutMs?: number;
}
export interface QuicConnectOptions extends Common {
  connect: string;
  /** SHA-256 fingerprints of the server certificates to accept (hex; ":" separators allowed). */
  fingerprints: string[];
  connectTimeoutMs?: number;
}
export interface QuicListenOptions extends Common {
  listen: string;
  /** Client certificate fingerprints to accept; absent: any client (clients still pin the server). */
  clients?: string[];
}
export type QuicOptions = QuicConnectOptions | QuicListenOptions;

export interface QuicTransport extends Transport {
  readonly mode: "connect" | "listen";
  /** This end's certificate fingerprint: what the other end pins. */
  readonly fingerprint: string;
  readonly local: HostPort;
  /** Connected peers: the server's clients (a client has none: its one peer is the default). */
  peers(): QuicPeer[];
  /** Adds a listener told when a client's connection ends; returns its remover. */
  onPeerClose(listener: (peer: QuicPeer) => void): () => void;
}

type Quic = typeof QuicModule;

async function loadQuic(): Promise<Quic> {
  return loadOptional<Quic>("@matrixai/quic", "quic");
}

async function silentLogger(): Promise<unknown> {
  const { default: Logger, LogLevel } = await loadOptional<typeof import("@matrixai/logger")>("@matrixai/logger", "quic");
  return new Logger("cell-quic", LogLevel.SILENT);
}

function baseConfig(o: Common, id: QuicIdentity) {
  const idle = o.idleTimeoutMs === undefined ? 30000 : o.idleTimeoutMs;
  return {
    key: id.keyPem,
    cert: id.certPem,
    maxIdleTimeout: idle,
    keepAliveIntervalTime: idle > 0 ? Math.max(100, Math.floor(idle / 3)) : undefined,
    applicationProtos: ["cell/1"],
    // One stream each way is all a link uses; a few more let a stream closed for bad bytes be replaced.
    initialMaxStreamsBidi: 16,
    initialMaxStreamsUni: 0
  };
}

class QuicLink extends LinkBase implements QuicTransport, ConnectionOwner {
  readonly maxFrame: number;
  readonly maxQueuedBytes: number;
  protected readonly label: string;
  private ends = new Map<string, QuicConnectionEnd>();
  private peerCloseListeners: ((peer: QuicPeer) => void)[] = [];
  server: QUICServer | null = null;
  client: QUICClient | null = null;

  constructor(
    readonly mode: "connect" | "listen",
    readonly fingerprint: string,
    o: Common,
    label: string
  ) {
    super();
    this.maxFrame = o.maxFrame || 65536 + HEADER_SIZE;
    this.maxQueuedBytes = o.maxQueuedBytes || 4 << 20;
    this.label = label;
  }

  private localAddress: HostPort | null = null;

  /** Read once: the library refuses to tell it after the socket stopped. */
  get local(): HostPort {
    if (!this.localAddress) {
      this.localAddress = this.server
        ? { host: this.server.host, port: this.server.port }
        : { host: this.client!.localHost, port: this.client!.localPort };
    }
    return this.localAddress;
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
    for (const end of this.ends.values()) end.close();
    this.ends.clear();
    if (this.server) void this.server.stop({ force: true }).catch(() => {});
    if (this.client) void this.client.destroy({ force: true }).catch(() => {});
  }

  /** Starts reading a new connection's streams; its end goes when the connection stops. */
  attach(quic: Quic, connection: QUICConnection, isServer: boolean): QuicConnectionEnd {
    const peer: QuicPeer = {
      id: "quic:" + formatHostPort(connection.remoteHost, connection.remotePort),
      address: connection.remoteHost,
      port: connection.remotePort
    };
    const end = new QuicConnectionEnd(connection, peer, this, isServer);
    this.ends.set(peer.id, end);
    connection.addEventListener(quic.events.EventQUICConnectionStream.name, (evt) => {
      end.adopt((evt as unknown as { detail: QUICStream }).detail);
    });
    let why = "";
    connection.addEventListener(quic.events.EventQUICConnectionError.name, (evt) => {
      const err = (evt as unknown as { detail: Error }).detail;
      why =
        err.name === "ErrorQUICConnectionPeerTLS"
          ? `the peer refused this end's certificate (it must pin ${this.fingerprint})`
          : describe(err.cause || err) || err.name;
    });
    connection.addEventListener(
      quic.events.EventQUICConnectionStopped.name,
      () => {
        end.close();
        if (this.ends.get(peer.id) === end) this.ends.delete(peer.id);
        if (this.closed) return;
        if (isServer) {
          for (const listener of this.peerCloseListeners.slice()) listener(peer);
        } else {
          this.reportError(new CellError(ErrorCode.LinkClosed, `${this.label}: the connection ended${why ? ": " + why : ""}`));
          this.close();
        }
      },
      { once: true }
    );
    return end;
  }
}

async function listen(o: QuicListenOptions): Promise<QuicTransport> {
  const quic = await loadQuic();
  const at = parseHostPort(o.listen, "quic listen");
  const id = loadOrCreateIdentity(o.identityDir);
  const clients = o.clients ? o.clients.map(normalizeFingerprint) : null;
  const server = new quic.QUICServer({
    crypto: serverCrypto(),
    config: { ...baseConfig(o, id), verifyPeer: !!clients, verifyCallback: clients ? pinCheck(clients).verify : undefined },
    logger: (await silentLogger()) as never
  });
  const link = new QuicLink("listen", id.fingerprint, o, "quic server at " + o.listen);
  link.server = server;
  server.addEventListener(quic.events.EventQUICServerConnection.name, (evt) => {
    link.attach(quic, (evt as unknown as { detail: QUICConnection }).detail, true);
  });
  try {
    await server.start({ host: at.host, port: at.port });
  } catch (e) {
    throw new Error(`quic: cannot listen on ${o.listen}: ${describe(e)}`, { cause: e });
  }
  void link.local;
  return link;
}

async function connect(o: QuicConnectOptions): Promise<QuicTransport> {
  if (!o.fingerprints || o.fingerprints.length === 0) {
    throw new Error("quic: a client must pin the server's certificate: pass fingerprints (the server's `fingerprint`)");
  }
  const quic = await loadQuic();
  const at = parseHostPort(o.connect, "quic connect");
  const id = loadOrCreateIdentity(o.identityDir);
  const pins = pinCheck(o.fingerprints.map(normalizeFingerprint));
  const timeout = o.connectTimeoutMs || 5000;
  let client: QUICClient;
  try {
    client = await quic.QUICClient.createQUICClient(
      {
        host: at.host,
        port: at.port,
        localHost: at.host.indexOf(":") >= 0 ? "::" : "0.0.0.0",
        crypto: clientCrypto(),
        config: { ...baseConfig(o, id), verifyPeer: true, verifyCallback: pins.verify },
        logger: (await silentLogger()) as never
      },
      { timer: timeout }
    );
  } catch (e) {
    if (pins.lastSeen && o.fingerprints.map(normalizeFingerprint).indexOf(pins.lastSeen) < 0) {
      throw new CellError(
        ErrorCode.Unreachable,
        `quic: the server at ${o.connect} presented certificate ${pins.lastSeen}, which is not pinned`,
        e
      );
    }
    throw new CellError(ErrorCode.Unreachable, `quic: cannot connect to ${o.connect}: ${describe(e)}`, e);
  }
  const link = new QuicLink("connect", id.fingerprint, o, "quic link to " + o.connect);
  link.client = client;
  void link.local;
  link.attach(quic, client.connection, false);
  return link;
}

/** Opens a QUIC link: `{connect, fingerprints}` or `{listen}`. */
export async function openQuic(opts: QuicOptions): Promise<QuicTransport> {
  return "listen" in opts ? listen(opts) : connect(opts);
}
