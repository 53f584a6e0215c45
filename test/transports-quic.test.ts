// QUIC specifics: the identity (an Ed25519 key) made once and kept, fingerprint pinning both ways, peers per
// connection, and a stream closed for bad bytes while the connection keeps working.
import { afterAll, describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { quic, quicIdentity } from "../transports/index";
import { normalizeFingerprint, IDENTITY_FILE } from "../transports/quic-cert";
import { serve, remote } from "../core/host";
import { cell, method, t } from "../core/schema";
import { ErrorCode } from "../core/errors";
import { waitFor } from "./wait-for";

const Calc = cell("calc", { add: method(t.struct({ a: t.i32, b: t.i32 }), t.i32) });
// Identity folders made by the tests, removed at the end.
const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), "cell-quic-test-"));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("quic identity", () => {
  it("makes an Ed25519 key once, keeps it (private), and fingerprints its public key", async () => {
    const dir = tmp();
    const first = await quicIdentity(dir);
    const again = await quicIdentity(dir);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.keyPem).toBe(first.keyPem);
    const key = createPrivateKey(readFileSync(join(dir, IDENTITY_FILE)));
    expect(key.asymmetricKeyType).toBe("ed25519");
    const raw = Buffer.from(createPublicKey(key).export({ format: "jwk" }).x!, "base64url");
    expect(Buffer.from(first.publicKey)).toEqual(raw);
    expect(createHash("sha256").update(raw).digest("hex")).toBe(first.fingerprint);
    expect(statSync(join(dir, IDENTITY_FILE)).mode & 0o077).toBe(0);
    const colons = first.fingerprint.toUpperCase().replace(/(..)(?!$)/g, "$1:");
    expect(normalizeFingerprint(colons)).toBe(first.fingerprint); // "AB:CD:…" pins too
  });

  it("defaults to $CELL_CONFIG_DIR/quic", async () => {
    const root = tmp();
    const saved = process.env.CELL_CONFIG_DIR;
    process.env.CELL_CONFIG_DIR = root;
    try {
      expect((await quicIdentity()).dir).toBe(join(root, "quic"));
    } finally {
      if (saved === undefined) delete process.env.CELL_CONFIG_DIR;
      else process.env.CELL_CONFIG_DIR = saved;
    }
  });
});

describe("quic", () => {
  it("refuses a server whose certificate is not pinned, naming the fingerprint it saw", async () => {
    const dir = tmp();
    const server = await quic({ listen: "127.0.0.1:0", identityDir: join(dir, "s") });
    const wrong = "ab".repeat(32);
    await expect(quic({ connect: `127.0.0.1:${server.local.port}`, fingerprints: [wrong], identityDir: join(dir, "c") })).rejects.toThrow(
      `presented certificate ${server.fingerprint}, which is not pinned`
    );
    await expect(quic({ connect: `127.0.0.1:${server.local.port}`, fingerprints: [], identityDir: join(dir, "c") })).rejects.toThrow(
      /must pin/
    );
    server.close();
  });

  it("lets a server pin its clients", async () => {
    const dir = tmp();
    const known = await quicIdentity(join(dir, "known"));
    const server = await quic({ listen: "127.0.0.1:0", identityDir: join(dir, "s"), clients: [known.fingerprint] });
    serve(Calc, { add: (r) => r.a + r.b }, server);
    const good = await quic({
      connect: `127.0.0.1:${server.local.port}`,
      fingerprints: [server.fingerprint],
      identityDir: join(dir, "known")
    });
    expect(await remote(Calc, good).add({ a: 1, b: 2 })).toBe(3);
    // TLS lets the client finish its handshake first; the server's refusal then ends the connection.
    const stranger = await quic({
      connect: `127.0.0.1:${server.local.port}`,
      fingerprints: [server.fingerprint],
      identityDir: join(dir, "stranger")
    });
    const errors: string[] = [];
    stranger.onError((e) => errors.push(e.message));
    let closed = false;
    stranger.onClose(() => (closed = true));
    await waitFor("the stranger's link to close", () => closed);
    expect(errors.join("\n")).toMatch(/refused this end's certificate \(it must pin [0-9a-f]{64}\)/);
    expect(server.peers().map((p) => p.id)).toEqual([`quic:127.0.0.1:${good.local.port}`]);
    good.close();
    server.close();
  });

  it("has one Peer per connection, told when it leaves; the client's link closes when the server goes", async () => {
    const dir = tmp();
    const server = await quic({ listen: "127.0.0.1:0", identityDir: join(dir, "s") });
    serve(Calc, { add: (r) => r.a + r.b }, server);
    const opts = { connect: `127.0.0.1:${server.local.port}`, fingerprints: [server.fingerprint], identityDir: join(dir, "c") };
    const c1 = await quic(opts);
    const c2 = await quic(opts);
    await Promise.all([remote(Calc, c1).add({ a: 1, b: 1 }), remote(Calc, c2).add({ a: 2, b: 2 })]);
    expect(server.peers().length).toBe(2);
    const left: string[] = [];
    server.onPeerClose((p) => left.push(p.id));
    c1.close();
    await waitFor("peer close", () => left.length === 1);
    expect(left).toEqual([`quic:127.0.0.1:${c1.local.port}`]);
    expect(server.peers().length).toBe(1);
    let c2closed = false;
    c2.onClose(() => (c2closed = true));
    server.close();
    await waitFor("client close", () => c2closed, 8000);
    expect(() => c2.send(new Uint8Array(24))).toThrow(expect.objectContaining({ code: ErrorCode.LinkClosed }));
  });

  it("reconnects to a server restarted on the same port with the same key", async () => {
    const dir = tmp();
    const first = await quic({ listen: "127.0.0.1:0", identityDir: join(dir, "s") });
    const at = `127.0.0.1:${first.local.port}`;
    const opts = { connect: at, fingerprints: [first.fingerprint], identityDir: join(dir, "c") };
    const c1 = await quic(opts);
    let c1closed = false;
    c1.onClose(() => (c1closed = true));
    first.close();
    await waitFor("the client to see the server go", () => c1closed, 8000);
    // The stack lets the socket go a moment after close (once its pending accept has ended).
    let again: Awaited<ReturnType<typeof quic>> | null = null;
    for (let tries = 0; !again; tries++) {
      try {
        again = await quic({ listen: at, identityDir: join(dir, "s") });
      } catch (e) {
        if (!/in use/.test(String(e)) || tries >= 100) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(again.fingerprint).toBe(first.fingerprint);
    serve(Calc, { add: (r) => r.a + r.b }, again);
    const c2 = await quic(opts);
    expect(await remote(Calc, c2).add({ a: 40, b: 2 })).toBe(42);
    c2.close();
    again.close();
  });
});
