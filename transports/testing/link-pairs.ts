// Connected pairs of every host transport on loopback addresses, with a way to put raw bytes on the
// medium toward `b`: for the contract tests, and for anyone who needs a real link in a test.
import { createServer, Socket, AddressInfo } from "node:net";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transport, Peer } from "../../core/transport";
import type { BytePort } from "../../core/byte-port";
import { loopbackPair } from "../../core/loopback";
import { streamLink } from "../../core/stream-link";
import { HEADER_SIZE } from "../../core/header";
import { DropReason } from "../../core/drops";
import { serial, udp, quic, nats } from "../index";
import type { NatsServer } from "./nats-server";
import { makeFrame, lyingFrame, streamBytes } from "./frames";

export interface BadInput {
  name: string;
  /** The drop reasons it may be counted under (one drop in all). */
  reasons: string[];
  inject(): Promise<void>;
}

export interface LinkPair {
  /** The caller's end. */
  a: Transport;
  /** The end under test: bad input is injected toward it; it serves in RPC tests. */
  b: Transport;
  /** Bytes on the medium: "frame" when they equal the frame bytes, "stream" with COBS and CRC around. */
  framing: "frame" | "stream";
  /** True when b sees who sent a frame (a Peer), false on point-to-point links. */
  peers: boolean;
  /** False when the medium hands b every byte string as a frame (a loopback): b's endpoint then checks it. */
  validates: boolean;
  bad: BadInput[];
  close(): Promise<void>;
}

export interface PairOptions {
  maxFrame: number;
  /** Cell ids b takes REQUESTs for (NATS subscribes per cell). */
  cells: number[];
  natsServer?: () => NatsServer;
}

function socketPort(sock: Socket): BytePort {
  return {
    write: (bytes) => void sock.write(Buffer.from(bytes)),
    onData: (cb) => void sock.on("data", cb),
    onClose: (cb) => void sock.on("close", cb),
    onError: (cb) => void sock.on("error", cb),
    close: () => void sock.destroy()
  };
}

function datagramBad(o: PairOptions, send: (bytes: Uint8Array) => Promise<void>): BadInput[] {
  const cellId = o.cells[0];
  return [
    { name: "garbage", reasons: [DropReason.BadMagic], inject: () => send(new Uint8Array(40).fill(0x55)) },
    { name: "too short", reasons: [DropReason.TooShort], inject: () => send(new Uint8Array([0xce, 1, 0, 0, 1, 2, 3])) },
    { name: "truncated", reasons: [DropReason.BadLength], inject: () => send(lyingFrame(100, 10, cellId)) },
    { name: "oversize", reasons: [DropReason.TooLong], inject: () => send(makeFrame(o.maxFrame + 1, { cellId })) }
  ];
}

export async function loopbackLinks(o: PairOptions): Promise<LinkPair> {
  const [a, b] = loopbackPair({ maxFrame: o.maxFrame });
  // A loopback carries whatever a sends (it has no medium to check); b's endpoint counts the drops.
  const send = async (bytes: Uint8Array) => a.send(bytes);
  return {
    a,
    b,
    framing: "frame",
    peers: false,
    validates: false,
    bad: datagramBad(o, send).filter((x) => x.name !== "oversize"), // a loopback refuses to carry it at all
    close: async () => a.close()
  };
}

export async function serialTcpLinks(o: PairOptions): Promise<LinkPair> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const accepted = new Promise<Socket>((r) => server.once("connection", r));
  const b = await serial(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, { maxFrame: o.maxFrame });
  const sock = await accepted;
  const a = streamLink(socketPort(sock), { maxFrame: o.maxFrame });
  const write = async (bytes: Uint8Array) => void sock.write(Buffer.from(bytes));
  const valid = streamBytes(makeFrame(200, { cellId: o.cells[0] }));
  const flipped = valid.slice();
  flipped[50] = flipped[50] === 0x42 ? 0x43 : 0x42; // a payload byte, still not 0x00
  return {
    a,
    b,
    framing: "stream",
    peers: false,
    validates: true,
    bad: [
      { name: "garbage", reasons: [DropReason.BadCobs], inject: () => write(new Uint8Array([0x11, 0x22, 0x33, 0x00])) },
      {
        name: "truncated",
        reasons: [DropReason.BadCobs, DropReason.BadCrc],
        inject: () => write(Uint8Array.of(...valid.subarray(0, 100), 0))
      },
      { name: "bad CRC", reasons: [DropReason.BadCrc], inject: () => write(flipped) },
      {
        name: "oversize",
        reasons: [DropReason.TooLong],
        inject: () => write(streamBytes(makeFrame(o.maxFrame + 1, { cellId: o.cells[0] })))
      }
    ],
    close: async () => {
      b.close();
      a.close();
      await new Promise((r) => server.close(r));
    }
  };
}

export async function udpLinks(o: PairOptions): Promise<LinkPair> {
  const b = await udp({ listen: "127.0.0.1:0", maxFrame: o.maxFrame });
  const a = await udp({ connect: `127.0.0.1:${b.local.port}`, maxFrame: o.maxFrame });
  const raw = createSocket("udp4");
  const send = (bytes: Uint8Array) => new Promise<void>((r, j) => raw.send(bytes, b.local.port, "127.0.0.1", (e) => (e ? j(e) : r())));
  return {
    a,
    b,
    framing: "frame",
    peers: true,
    validates: true,
    bad: datagramBad(o, send),
    close: async () => {
      a.close();
      b.close();
      raw.close();
    }
  };
}

export async function quicLinks(o: PairOptions): Promise<LinkPair> {
  const dir = mkdtempSync(join(tmpdir(), "cell-quic-"));
  const b = await quic({ listen: "127.0.0.1:0", maxFrame: o.maxFrame, identityDir: join(dir, "server") });
  const a = await quic({
    connect: `127.0.0.1:${b.local.port}`,
    fingerprints: [b.fingerprint],
    maxFrame: o.maxFrame,
    identityDir: join(dir, "client")
  });
  // A second connection, straight through the QUIC stack: its bytes skip the link's checks.
  const quinn = await (await import("../quic-quinn")).loadQuinn();
  const { loadOrCreateIdentity } = await import("../quic-cert");
  const rawId = loadOrCreateIdentity(join(dir, "raw"));
  const rawClient = new quinn.Client(
    new quinn.QuinnConfig({
      privateKeyProto: rawId.privateKeyProto,
      handshakeTimeout: 5000,
      maxIdleTimeout: 30000,
      keepAliveInterval: 10000,
      maxConcurrentStreamLimit: 16,
      maxStreamData: 1_000_000,
      maxConnectionData: 1_000_000,
      receiveBufferSize: 100_000,
      sendBufferSize: 100_000
    }),
    0
  );
  let raw: Promise<import("../quic-quinn").QuinnConnection> | null = null;
  // Each bad input goes on a fresh stream of the second connection, then the stream ends.
  const send = async (bytes: Uint8Array) => {
    raw ||= rawClient.outboundConnection("127.0.0.1", b.local.port);
    const stream = await (await raw).outboundStream();
    await stream.write(bytes);
    await stream.finishWrite().catch(() => {});
  };
  return {
    a,
    b,
    framing: "frame",
    peers: true,
    validates: true,
    bad: [
      { name: "garbage", reasons: [DropReason.BadMagic], inject: () => send(new Uint8Array(40).fill(0x55)) },
      { name: "truncated", reasons: [DropReason.BadLength], inject: () => send(lyingFrame(100, 10, o.cells[0])) },
      { name: "too short", reasons: [DropReason.TooShort], inject: () => send(new Uint8Array([0xce, 1, 0])) },
      {
        name: "oversize",
        reasons: [DropReason.TooLong],
        inject: () => send(makeFrame(o.maxFrame + 1, { cellId: o.cells[0] }).subarray(0, HEADER_SIZE + 8))
      }
    ],
    close: async () => {
      a.close();
      b.close();
      rawClient.abort();
      // The three identities were made for this pair alone.
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

export async function natsLinks(o: PairOptions): Promise<LinkPair> {
  const server = o.natsServer!();
  const b = await nats({ servers: server.url, serve: o.cells, maxFrame: o.maxFrame });
  const a = await nats({ servers: server.url, maxFrame: o.maxFrame });
  const { connect } = await import("nats");
  const raw = await connect({ servers: server.url });
  const send = async (bytes: Uint8Array) => {
    raw.publish(b.subjects.request(o.cells[0]), bytes);
    await raw.flush();
  };
  return {
    a,
    b,
    framing: "frame",
    peers: true,
    validates: true,
    bad: datagramBad(o, send),
    close: async () => {
      a.close();
      b.close();
      await raw.close();
    }
  };
}

export type { Peer };
