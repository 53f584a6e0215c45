// cell keygen, cell trust, cell build --sign and the refusals of cell flash, in-process. Every refusal
// happens before the flash method writes: the "board" at --port is a listening TCP socket that counts
// what it is sent (cell flash's port check connects once and sends nothing).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { createServer, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cellIn } from "./testing/run-main";
import { ExitCode } from "./exit-codes";
import { Echo } from "../examples/echo/schema";
import { decodeSignatureFile } from "../trust/signature-file";
import { decodeStatement, versionNumber } from "../trust/statement";
import { generateKeyPair, keyId, rawPublicKey, readPrivateKey } from "../trust/keys";
import { signRelease } from "../trust/release";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BOARD = "qemu-mps2-an385";
const tmp = mkdtempSync(join(tmpdir(), "cell-releases-"));
let board: Server;
let port = "";
let connections = 0;
let received = 0;
let bundle = "";

beforeAll(async () => {
  board = createServer((s) => {
    connections++;
    s.on("data", (d) => (received += d.length));
  });
  await new Promise<void>((r) => board.listen(0, "127.0.0.1", r));
  port = `tcp://127.0.0.1:${(board.address() as { port: number }).port}`;
});
afterAll(() => {
  board.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("cell keygen", () => {
  it("writes a 0600 PKCS#8 key and an SPKI public key, prints neither, and never overwrites", async () => {
    const dir = join(tmp, "keys");
    const r = await cellIn(tmp, "keygen", "--out", dir);
    expect(r.code).toBe(ExitCode.Ok);
    const key = readFileSync(join(dir, "cell-signing.key"), "utf8");
    const pub = readFileSync(join(dir, "cell-signing.pub"), "utf8");
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(statSync(join(dir, "cell-signing.key")).mode & 0o777).toBe(0o600);
    const id = keyId(rawPublicKey(pub));
    expect(r.out).toContain(`key id ${id}`);
    expect(r.out + r.err).not.toContain(key.split("\n")[1]);
    const again = await cellIn(tmp, "keygen", "--out", dir);
    expect(again.code).toBe(ExitCode.BadInput);
    expect(again.err).toMatch(/cell-signing.key already exists; nothing was written/);
    expect(readFileSync(join(dir, "cell-signing.key"), "utf8")).toBe(key);
  });
});

describe("cell trust", () => {
  it("adds the key id, raw key and name to Cell.lock once", async () => {
    const dir = mkdtempSync(join(tmp, "trust-"));
    const pubFile = join(tmp, "keys/cell-signing.pub");
    const raw = Buffer.from(rawPublicKey(readFileSync(pubFile, "utf8"))).toString("hex");
    const r = await cellIn(dir, "trust", pubFile, "--name", "release team");
    expect(r.code).toBe(ExitCode.Ok);
    const lock = JSON.parse(readFileSync(join(dir, "Cell.lock"), "utf8"));
    expect(lock.version).toBe(1);
    expect(lock.cells).toEqual({});
    expect(lock.keys).toEqual([{ id: keyId(Buffer.from(raw, "hex")), publicKey: raw, name: "release team", added: expect.any(String) }]);
    expect(r.out).toContain(`now trusts key ${lock.keys[0].id} (release team)`);
    const again = await cellIn(dir, "trust", pubFile);
    expect(again.out).toContain("already trusts");
    expect(JSON.parse(readFileSync(join(dir, "Cell.lock"), "utf8")).keys).toHaveLength(1);
  });

  it("refuses a file that is not an Ed25519 public key, and a damaged Cell.lock (exit 3)", async () => {
    const dir = mkdtempSync(join(tmp, "trust-bad-"));
    writeFileSync(join(dir, "x.pub"), "not a key\n");
    const r = await cellIn(dir, "trust", join(dir, "x.pub"));
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err).toMatch(/x.pub is not an Ed25519 public key/);
    expect(existsSync(join(dir, "Cell.lock"))).toBe(false);
    writeFileSync(join(dir, "Cell.lock"), '{"version":1,"keys":[{"id":"zz"}],"cells":{}}');
    const damaged = await cellIn(dir, "trust", join(tmp, "keys/cell-signing.pub"));
    expect(damaged.code).toBe(ExitCode.BadInput);
    expect(damaged.err).toMatch(/Cell.lock: keys\[0\] needs id/);
  });
});

describe("cell build --sign", () => {
  it("writes <bundle>.cellsig: the bundle's hash, board, version from package.json, cells and key", async () => {
    const src = join(tmp, "app");
    const r0 = await cellIn(tmp, "keygen", "--out", src); // a key beside the app, and the app itself:
    expect(r0.code).toBe(ExitCode.Ok);
    writeFileSync(join(src, "package.json"), JSON.stringify({ name: "app", version: "1.4.2" }));
    for (const f of ["echo.ts", "schema.ts"]) copyFileSync(join(ROOT, "examples/echo", f), join(src, f));
    writeFileSync(
      join(src, "schema.ts"),
      readFileSync(join(src, "schema.ts"), "utf8").replace('"../../core/schema"', JSON.stringify(join(ROOT, "core/schema")))
    );
    writeFileSync(
      join(src, "echo.ts"),
      readFileSync(join(src, "echo.ts"), "utf8").replace(
        /"\.\.\/\.\.\/firmware\//g,
        JSON.stringify(join(ROOT, "firmware")).slice(0, -1) + "/"
      )
    );
    const r = await cellIn(
      tmp,
      "build",
      "--board",
      BOARD,
      "--out",
      join(tmp, "build"),
      "--sign",
      join(src, "cell-signing.key"),
      join(src, "echo.ts")
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(ExitCode.Ok);
    bundle = join(tmp, "build", BOARD, "echo.js");
    const file = decodeSignatureFile(readFileSync(bundle + ".cellsig"));
    const s = decodeStatement(file.statement);
    expect(s.board).toBe(BOARD);
    expect(s.version).toBe(versionNumber("1.4.2"));
    expect(s.bundleLength).toBe(readFileSync(bundle).length);
    expect(s.cells).toEqual([{ id: Echo.id, schemaHash: Echo.hash }]);
    expect(Math.abs(s.signedAt - Date.now() / 1000)).toBeLessThan(600);
    const id = keyId(file.publicKey);
    expect(r.out).toContain(`signed with key ${id}`);
  }, 120000);

  it("refuses a bad key or version before it builds", async () => {
    const key = join(tmp, "app/cell-signing.key");
    const bad = await cellIn(tmp, "build", "--board", BOARD, "--sign", key, "--release-version", "1.2", join(tmp, "app/echo.ts"));
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.err).toMatch(/--release-version takes a version x.y.z/);
    const notKey = await cellIn(tmp, "build", "--board", BOARD, "--sign", join(tmp, "app/cell-signing.pub"), join(tmp, "app/echo.ts"));
    expect(notKey.code).toBe(ExitCode.BadInput);
    expect(notKey.err).toMatch(/cell-signing.pub is not an Ed25519 private key/);
    const alone = await cellIn(tmp, "build", "--board", BOARD, "--release-version", "1.0.0", join(tmp, "app/echo.ts"));
    expect(alone.code).toBe(ExitCode.Usage);
    expect(alone.err).toMatch(/--release-version needs --sign/);
    const noVersion = mkdtempSync(join(tmp, "noversion-"));
    writeFileSync(join(noVersion, "package.json"), "{}");
    writeFileSync(join(noVersion, "x.ts"), "");
    const none = await cellIn(tmp, "build", "--board", BOARD, "--sign", key, join(noVersion, "x.ts"));
    expect(none.code).toBe(ExitCode.Usage);
    expect(none.err).toMatch(/no package.json at or above .*x.ts names a version; give --release-version x.y.z/);
  });
});

describe("cell flash in a folder whose Cell.lock trusts keys", () => {
  let dir = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmp, "flash-"));
    expect((await cellIn(dir, "trust", join(tmp, "app/cell-signing.pub"))).code).toBe(ExitCode.Ok);
  });

  const flashIn = (where: string, file: string, ...more: string[]) =>
    cellIn(where, "flash", "--board", BOARD, "--port", port, file, ...more);
  const copy = (name: string, bytes?: Buffer, sig?: Buffer | null) => {
    const out = join(tmp, "build", BOARD, name);
    writeFileSync(out, bytes ?? readFileSync(bundle));
    if (sig !== null) writeFileSync(out + ".cellsig", sig ?? readFileSync(bundle + ".cellsig"));
    return out;
  };
  const expectRefused = (r: { code: number; err: string }, why: RegExp) => {
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err.split("\n").filter((l) => l.startsWith("cell flash:"))).toHaveLength(1);
    expect(r.err).toMatch(/cell flash: refused, nothing was written: /);
    expect(r.err).toMatch(why);
  };

  it("refuses an unsigned bundle (exit 3), saying unsigned, and writes nothing", async () => {
    const before = { connections, received };
    expectRefused(await flashIn(dir, copy("unsigned.js", undefined, null)), /BundleUnsigned: .*unsigned.js is unsigned/);
    expect(received).toBe(before.received);
    expect(connections).toBe(before.connections + 1); // the port check only
  });

  it("refuses a bundle with one byte flipped, naming the key that signed it", async () => {
    const bytes = readFileSync(bundle);
    bytes[10] ^= 1;
    const id = keyId(decodeSignatureFile(readFileSync(bundle + ".cellsig")).publicKey);
    const before = received;
    expectRefused(
      await flashIn(dir, copy("tampered.js", bytes)),
      new RegExp(`BundleTampered: the bundle's bytes are not the ones key ${id} signed`)
    );
    expect(received).toBe(before);
  });

  it("refuses a bundle signed by a key this folder does not trust", async () => {
    const other = generateKeyPair();
    const otherId = keyId(rawPublicKey(other.publicPem));
    const bytes = readFileSync(bundle);
    const sig = signRelease(bytes, { board: BOARD, version: versionNumber("9.0.0"), cells: [] }, readPrivateKey(other.privatePem));
    expectRefused(
      await flashIn(dir, copy("stranger.js", bytes, Buffer.from(sig))),
      new RegExp(`SignerUntrusted: signed by key ${otherId}, which is not trusted here`)
    );
  });

  it("refuses a release signed for another board, and a damaged signature file", async () => {
    const f = decodeSignatureFile(readFileSync(bundle + ".cellsig"));
    const sig = Buffer.from(readFileSync(bundle + ".cellsig"));
    sig[sig.length - 40] ^= 1; // inside the signature
    expectRefused(
      await flashIn(dir, copy("badsig.js", undefined, sig)),
      new RegExp(`SignatureInvalid: the signature by key ${keyId(f.publicKey)} does not verify`)
    );
    expectRefused(await flashIn(dir, copy("short.js", undefined, sig.subarray(0, 50))), /SignatureMalformed/);
    // No manifest names this copy's board, so only the signature says it is for qemu-mps2-an385.
    const r = await cellIn(dir, "flash", "--board", "qemu-mps2-an385-jerryscript", "--port", port, copy("board.js"));
    expectRefused(r, /WrongBoard: signed by key [0-9a-f]{16} for qemu-mps2-an385, not qemu-mps2-an385-jerryscript/);
  });

  it("--allow-unsigned flashes anyway, saying what it risks", async () => {
    const before = received;
    const r = await flashIn(dir, copy("risky.js", undefined, null), "--allow-unsigned", "--timeout", "300");
    expect(r.err).toMatch(
      /WARNING --allow-unsigned: BundleUnsigned: .*; flashing it anyway: the board will run code that no key trusted in .*Cell.lock vouches for/
    );
    expect(received).toBeGreaterThan(before); // it got to the board (which, being a plain socket, never answers)
    expect(r.code).not.toBe(ExitCode.Ok);
  });

  it("without Cell.lock, or with no keys in it, nothing is checked", async () => {
    const plain = mkdtempSync(join(tmp, "plain-"));
    const empty = mkdtempSync(join(tmp, "empty-"));
    writeFileSync(join(empty, "Cell.lock"), JSON.stringify({ version: 1, keys: [], cells: {} }));
    for (const where of [plain, empty]) {
      const before = received;
      const r = await flashIn(where, copy("plain.js", undefined, null), "--timeout", "300");
      expect(r.err).not.toMatch(/refused|WARNING/);
      expect(received).toBeGreaterThan(before);
    }
  });
});

describe("cell sim --trust", () => {
  it("refuses a file that is not an Ed25519 public key in one line (exit 3), before any board boots", async () => {
    const dir = mkdtempSync(join(tmp, "sim-trust-"));
    writeFileSync(join(dir, "x.pub"), "not a key\n");
    const r = await cellIn(dir, "sim", "--board", BOARD, "--trust", join(dir, "x.pub"), bundle);
    expect(r.code).toBe(ExitCode.BadInput);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^cell sim: .*x.pub is not an Ed25519 public key \(PEM\)/);
    expect(r.out).toBe("");
    const missing = await cellIn(dir, "sim", "--board", BOARD, "--trust", join(dir, "none.pub"), bundle);
    expect(missing.code).toBe(ExitCode.BadInput);
    expect(missing.err).toMatch(/^cell sim: public key .*none.pub: no such file$/);
  });

  it("is for the QEMU boards: on an Espruino board the host checks (usage error)", async () => {
    const r = await cellIn(tmp, "sim", "--board", "esp32", "--trust", join(tmp, "keys/cell-signing.pub"), bundle);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.err).toMatch(/--trust provisions the QEMU boards' loader; on esp32 the loader is the board's own firmware/);
  });
});
