// QUIC stacks on npm, each driven the same way for bench/quic-compare.ts: a server echoing frames back
// on the bidirectional stream they came on, and a client writing frames on one stream. Frames are
// delimited by the header's length (spec/wire-format.md §3.3) with core's DelimitedDecoder on both sides.
// A stack is loaded from the project's node_modules or, for a comparison run, from the folders in
// $CELL_QUIC_CANDIDATES (colon-separated, each holding a node_modules): a missing one is skipped with
// its reason, so the bench never depends on a throwaway install.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateKeyPairSync } from "node:crypto";
import { DelimitedDecoder } from "../core/delimited";
import { HEADER_SIZE } from "../core/header";
import { makeSelfSigned, clientCrypto, serverCrypto } from "./quic-matrix-tls";

const MAX_FRAME = 1024 + HEADER_SIZE;
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** One end of a stream: writes are queued in order; read() answers null at the end of the stream. */
interface Duplex {
  write(bytes: Uint8Array): void;
  read(): Promise<Uint8Array | null>;
}

/** A connected client: frames written to the echo server, and every frame that comes back. */
export interface EchoClient {
  send(frame: Uint8Array): void;
  onFrame(cb: (frame: Uint8Array) => void): void;
  close(): Promise<void>;
}

export interface Stack {
  name: string;
  /** The npm package it comes from; its version and folder are reported. */
  pkg: string;
  note: string;
  open(mod: Record<string, any>, pkgDir: string): Promise<EchoClient>;
  /** The file to import, relative to the package folder, when not the package's own entry. */
  entry?: string;
}

/** Where `pkg` is installed: the project first, then $CELL_QUIC_CANDIDATES. */
export function findPackage(pkg: string): string | null {
  const roots = [ROOT, ...(process.env.CELL_QUIC_CANDIDATES || "").split(":").filter(Boolean)];
  for (const root of roots) {
    const dir = join(root, "node_modules", pkg);
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return null;
}

/** The ESM (or CJS) entry of a package folder, from its package.json. */
function entryOf(dir: string): string {
  const pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  let e = pj.exports && (pj.exports["."] ?? pj.exports);
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) e = e.node ?? e.import ?? e.default ?? e.require;
  return join(dir, typeof e === "string" ? e : pj.main || "index.js");
}

export async function loadStack(s: Stack): Promise<{ mod: Record<string, any>; dir: string; version: string }> {
  const dir = findPackage(s.pkg);
  if (!dir) throw new Error(`${s.pkg} is not installed (here or in $CELL_QUIC_CANDIDATES)`);
  const file = s.entry ? join(dir, s.entry) : entryOf(dir);
  const mod = await import(pathToFileURL(file).href);
  const version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  return { mod: mod.default && Object.keys(mod).length <= 2 ? { ...mod.default, ...mod } : mod, dir, version };
}

/** Echoes every frame read on `d` back on it. */
async function echo(d: Duplex): Promise<void> {
  const decoder = new DelimitedDecoder(MAX_FRAME);
  for (;;) {
    const chunk = await d.read().catch(() => null);
    if (!chunk) return;
    decoder.feed(chunk, (frame) => d.write(new Uint8Array(frame)));
  }
}

function client(d: Duplex, close: () => Promise<void>): EchoClient {
  let listener: (frame: Uint8Array) => void = () => {};
  const decoder = new DelimitedDecoder(MAX_FRAME);
  void (async () => {
    for (;;) {
      const chunk = await d.read().catch(() => null);
      if (!chunk) return;
      decoder.feed(chunk, (frame) => listener(frame));
    }
  })();
  return { send: (frame) => d.write(new Uint8Array(frame)), onFrame: (cb) => (listener = cb), close };
}

/**
 * Writes through an async `write` that must not overlap: what is queued while one write is out goes
 * in the next, joined. (WHATWG writers queue by themselves; the N-API stacks ask for this.)
 */
function serialWriter(write: (bytes: Uint8Array) => Promise<unknown>): (bytes: Uint8Array) => void {
  let pending: Uint8Array[] = [];
  let busy = false;
  const pump = async () => {
    busy = true;
    while (pending.length) {
      const parts = pending;
      pending = [];
      const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      await write(all).catch(() => (pending = []));
    }
    busy = false;
  };
  return (bytes) => {
    pending.push(bytes);
    if (!busy) void pump();
  };
}

function whatwg(stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }): Duplex {
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  return {
    write: (bytes) => void writer.write(bytes).catch(() => {}),
    read: async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    }
  };
}

/** A silent logger from the @matrixai/logger next to `pkgDir` (the default one logs every stream at INFO). */
async function silentLogger(pkgDir: string): Promise<unknown> {
  const dir = [join(pkgDir, "node_modules/@matrixai/logger"), join(pkgDir, "../../@matrixai/logger")].find((d) =>
    existsSync(join(d, "package.json"))
  );
  if (!dir) return undefined;
  const mod = await import(pathToFileURL(entryOf(dir)).href);
  const Logger = mod.default?.default ?? mod.default;
  const LogLevel = mod.LogLevel ?? mod.default.LogLevel;
  return new Logger("bench", LogLevel.SILENT);
}

/** @matrixai/quic and its fork @infisical/quic: the same API (QUICServer, QUICClient, WHATWG streams). */
async function openMatrixStyle(q: Record<string, any>, pkgDir: string): Promise<EchoClient> {
  const id = makeSelfSigned("bench");
  const logger = await silentLogger(pkgDir);
  const config = { key: id.keyPem, cert: id.certPem, verifyPeer: false, applicationProtos: ["cell/1"] };
  const server = new q.QUICServer({ crypto: serverCrypto(), config, logger });
  server.addEventListener(q.events.EventQUICServerConnection.name, (evt: any) => {
    evt.detail.addEventListener(q.events.EventQUICConnectionStream.name, (e: any) => void echo(whatwg(e.detail)));
  });
  await server.start({ host: "127.0.0.1", port: 0 });
  const c = await q.QUICClient.createQUICClient({
    host: "127.0.0.1",
    port: server.port,
    localHost: "127.0.0.1",
    crypto: clientCrypto(),
    config: { verifyPeer: false, applicationProtos: ["cell/1"] },
    logger
  });
  return client(whatwg(c.connection.newStream("bidi")), async () => {
    await c.destroy({ force: true }).catch(() => {});
    await server.stop({ force: true }).catch(() => {});
  });
}

/** libp2p's PrivateKey protobuf for an Ed25519 key: Type = 1 (Ed25519), Data = seed ‖ public key. */
function libp2pEd25519Proto(): Uint8Array {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const d = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
  const x = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  return Uint8Array.from([0x08, 0x01, 0x12, 0x40, ...d, ...x]);
}

function napiDuplex(stream: { read(max: number): Promise<Uint8Array | null>; write(b: Uint8Array): Promise<void> }): Duplex {
  return { write: serialWriter((b) => stream.write(b)), read: () => stream.read(65536) };
}

export const STACKS: Stack[] = [
  {
    name: "@matrixai/quic (raw API)",
    pkg: "@matrixai/quic",
    note: "quiche (Rust) through N-API; transports/quic used it before quinn",
    open: openMatrixStyle
  },
  {
    name: "@infisical/quic",
    pkg: "@infisical/quic",
    note: "a fork of @matrixai/quic 1.x with prebuilt binaries",
    open: openMatrixStyle
  },
  {
    name: "@chainsafe/libp2p-quic (N-API layer)",
    pkg: "@chainsafe/libp2p-quic",
    note: "quinn (Rust) through N-API, driven below libp2p's upgrader; transports/quic uses it",
    entry: "dist/src/napi.js",
    open: async (napi, pkgDir) => {
      const index = await import(pathToFileURL(join(pkgDir, "dist/src/index.js")).href);
      const config = new napi.QuinnConfig({ ...index.defaultOptions, privateKeyProto: libp2pEd25519Proto() });
      const server = new napi.Server(config, "127.0.0.1", 0);
      void (async () => {
        const conn = await server.inboundConnection();
        for (;;) {
          const stream = await conn.inboundStream().catch(() => null);
          if (!stream) return;
          void echo(napiDuplex(stream));
        }
      })();
      const dialer = new napi.Client(config, 0);
      const conn = await dialer.outboundConnection("127.0.0.1", server.port());
      return client(napiDuplex(await conn.outboundStream()), async () => {
        conn.abort();
        dialer.abort();
        server.abort();
      });
    }
  },
  {
    name: "mushi",
    pkg: "mushi",
    // 0.0.12 refuses every handshake: its Allower reads the JS callback's answer right after queueing
    // the call (src/lib.rs, allow_public_key), before the callback has run, so it reads "refused".
    note: "quinn (Rust) through N-API, point-to-point, keys pinned by an allow callback",
    open: async (m) => {
      const allow = new m.Allower(() => true);
      const server = new m.Endpoint("127.0.0.1:0", m.EndpointKey.generate(), allow);
      void (async () => {
        const session = await server.accept();
        for (;;) {
          const bidi = await session.acceptBi().catch(() => null);
          if (!bidi) return;
          const recv = bidi.takeRecv();
          const send = bidi.takeSend();
          // mushi 0.0.12 names its SendStream's write `readBuf` (index.d.ts: "Write the entire buffer").
          void echo({ write: serialWriter((b) => send.readBuf(Buffer.from(b))), read: () => recv.read(65536) });
        }
      })();
      const end = new m.Endpoint("127.0.0.1:0", m.EndpointKey.generate(), allow);
      const session = await end.connect(server.localAddr());
      const bidi = await session.openBi();
      const recv = bidi.takeRecv();
      const send = bidi.takeSend();
      return client({ write: serialWriter((b) => send.readBuf(Buffer.from(b))), read: () => recv.read(65536) }, async () => {
        session.close(0, "bench done");
      });
    }
  }
];
