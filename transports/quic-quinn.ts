// The QUIC stack: quinn (Rust) through the N-API layer of @chainsafe/libp2p-quic, loaded only when a
// QUIC link opens. That layer (dist/src/napi.js) is not in the package's "exports": it is internal, so
// the version is pinned exactly and its shape is checked on load, failing with a clear message if a
// different version is installed. Its public API is a libp2p Transport that needs a libp2p node's
// components and upgrader; a Cell link needs only the connection and its streams.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MissingPackageError } from "./optional";

export const QUINN_PACKAGE = "@chainsafe/libp2p-quic";
/** The one version whose internal layer this file was written against (package.json pins it exactly). */
export const QUINN_VERSION = "1.1.8";

/** A bidirectional stream. Writes must not overlap: the next waits for the last. */
export interface QuinnStream {
  read(max: number): Promise<Uint8Array | null>;
  write(bytes: Uint8Array): Promise<void>;
  finishWrite(): Promise<void>;
  resetWrite(): Promise<void>;
  stopRead(): Promise<void>;
}

/** A connection after the libp2p TLS handshake: the peer proved it holds the key in its peer id. */
export interface QuinnConnection {
  /** "/ip4/127.0.0.1/udp/4242/quic-v1/p2p/12D3KooW…": the peer's address and peer id. */
  remoteMultiaddr(): string;
  inboundStream(): Promise<QuinnStream>;
  outboundStream(): Promise<QuinnStream>;
  /** Settles when the connection ends, from either side. */
  closed(): Promise<void>;
  abort(): void;
}

export interface QuinnServer {
  port(): number;
  inboundConnection(): Promise<QuinnConnection>;
  abort(): void;
}

export interface QuinnClient {
  outboundConnection(ip: string, port: number): Promise<QuinnConnection>;
  abort(): void;
}

export interface QuinnOptions {
  /** libp2p's PrivateKey protobuf of this end's Ed25519 key. */
  privateKeyProto: Uint8Array;
  handshakeTimeout: number;
  maxIdleTimeout: number;
  keepAliveInterval: number;
  maxConcurrentStreamLimit: number;
  maxStreamData: number;
  maxConnectionData: number;
  receiveBufferSize: number;
  sendBufferSize: number;
}

export interface Quinn {
  QuinnConfig: new (o: QuinnOptions) => object;
  Server: new (config: object, ip: string, port: number) => QuinnServer;
  /** family: 0 for IPv4, 1 for IPv6. */
  Client: new (config: object, family: number) => QuinnClient;
}

/** What this file uses of the layer: each class and the methods called on its objects. */
export const QUINN_SHAPE: Record<string, string[]> = {
  QuinnConfig: [],
  Server: ["port", "inboundConnection", "abort"],
  Client: ["outboundConnection", "abort"],
  Connection: ["remoteMultiaddr", "inboundStream", "outboundStream", "closed", "abort"],
  Stream: ["read", "write", "finishWrite", "resetWrite", "stopRead"]
};

/** The names missing from `mod` (a loaded napi.js), as "Class" or "Class.method". */
export function missingFromShape(mod: Record<string, unknown>): string[] {
  const missing: string[] = [];
  for (const name of Object.keys(QUINN_SHAPE)) {
    const cls = mod[name];
    if (typeof cls !== "function") {
      missing.push(name);
      continue;
    }
    const proto = (cls as { prototype?: Record<string, unknown> }).prototype;
    for (const m of QUINN_SHAPE[name]) if (typeof proto?.[m] !== "function") missing.push(`${name}.${m}`);
  }
  return missing;
}

/** The package's folder, found the way Node finds packages from here (its package.json is not exported). */
export function quinnPackageDir(): string | null {
  const paths = createRequire(import.meta.url).resolve.paths(QUINN_PACKAGE) || [];
  for (const p of paths) {
    const dir = join(p, QUINN_PACKAGE);
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return null;
}

let loaded: Promise<Quinn> | null = null;

/** The N-API layer, checked: the pinned version with the expected classes and methods. */
export function loadQuinn(): Promise<Quinn> {
  return (loaded ||= load().catch((e) => {
    loaded = null;
    throw e;
  }));
}

async function load(): Promise<Quinn> {
  const install = `npm install --save-exact ${QUINN_PACKAGE}@${QUINN_VERSION}`;
  const dir = quinnPackageDir();
  if (!dir) throw new MissingPackageError(`${QUINN_PACKAGE}@${QUINN_VERSION}`, "quic", new Error(`${QUINN_PACKAGE} not found`));
  const version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  if (version !== QUINN_VERSION) {
    throw new Error(
      `the quic transport drives the internal N-API layer of ${QUINN_PACKAGE}, written against ${QUINN_VERSION}, ` +
        `but ${version} is installed (${dir}): ${install}`
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(/* @vite-ignore */ pathToFileURL(join(dir, "dist/src/napi.js")).href);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`the quic transport could not load ${QUINN_PACKAGE}'s native part (${why}); reinstall it: ${install}`, { cause: e });
  }
  const missing = missingFromShape(mod);
  if (missing.length) {
    throw new Error(
      `the N-API layer of ${QUINN_PACKAGE} ${version} (dist/src/napi.js) lacks ${missing.join(", ")}; ` +
        `the quic transport was written against ${QUINN_VERSION}: ${install}`
    );
  }
  return mod as unknown as Quinn;
}
