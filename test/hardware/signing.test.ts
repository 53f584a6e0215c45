// Signed releases checked by the QEMU loaders (spec/signing.md §4, issue 14): a board with a provisioned key
// runs only bundles that key signed, for its board, not older than the running release unless forced. Every
// refusal comes through cell.loader with its §4 name, and the bundle that ran before keeps answering.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { remote } from "../../core/host/remote";
import { crc32 } from "../../core/crc32";
import { Echo } from "../../examples/echo/schema";
import { bundleImage } from "../../sim/qemu";
import type { SimSession } from "../../sim/session";
import type { SimBundle } from "../../sim/bundle";
import { buildBundles, Boards, BOARD, BOARDS, rejectionOf } from "./harness";
import { flash as cellLoaderFlash } from "../../cli/flash/cell-loader";
import { createProgress } from "../../cli/flash/progress";
import { ExitCode } from "../../cli/exit-codes";
import { loadBoard } from "../../firmware/build/board";
import { openSocket, parseTcpUrl, socketLink } from "../../sim/tcp-port";
import { keyFromSeed } from "../../trust/keys";
import { signRelease } from "../../trust/release";

var TRUSTED = keyFromSeed(new Uint8Array(32).fill(0x11));
var STRANGER = keyFromSeed(new Uint8Array(32).fill(0x22));

describe.each(BOARDS)("signed releases on %s", (board) => {
  var boards = new Boards(board);
  var built: { bundles: { echo: SimBundle }; dispose(): void };
  var sim: SimSession;
  var echo: ReturnType<typeof remote<typeof Echo.members>>;
  var v1: Uint8Array;
  var v2: Uint8Array;
  /** A signature file for `bytes` (by the trusted key, for this board, unless told otherwise). */
  var signed = (bytes: Uint8Array, version: number, o?: { key?: typeof TRUSTED; board?: string }) =>
    signRelease(bytes, { version, board: (o && o.board) || board, cells: [] }, ((o && o.key) || TRUSTED).privateKey);

  /** Flashing `bytes` is refused with `refusal`; the bundle with `runningCrc` still runs and answers a typed call. */
  async function refused(p: Promise<unknown>, refusal: string, runningCrc: number): Promise<Error> {
    var e = await rejectionOf(p);
    expect(e.name).toBe("FlashError");
    expect(e.refusal).toBe(refusal);
    expect(e.message).toMatch(new RegExp("^the board refused the bundle: " + refusal + ": "));
    var status = await sim.loader.status();
    expect(status.bundleCrc32).toBe(runningCrc);
    expect(status.running).toBe(true);
    expect(await echo.echo("still the old one")).toBe("still the old one");
    return e;
  }

  beforeAll(async () => {
    built = await buildBundles({ echo: "examples/echo/echo.ts" }, board);
    v1 = built.bundles.echo.bytes;
    v2 = new Uint8Array(Buffer.concat([Buffer.from(v1), Buffer.from("\n/* release 1.1.0 */\n")]));
    sim = await boards.start({ trustedKey: TRUSTED.raw });
    echo = remote(Echo, sim.link, { timeoutMs: 10000 });
  }, 180000);

  afterAll(async () => {
    await boards.closeAll();
    if (built) built.dispose();
  });

  it("refuses an unsigned bundle while a key is provisioned, naming the key", async () => {
    var e = await rejectionOf(sim.loader.flash(v1));
    expect(e.refusal).toBe("SignatureMalformed");
    expect(e.message).toContain("no signature; this board trusts key " + TRUSTED.id);
    expect((await sim.loader.status()).bundleSize).toBe(0);
  });

  it("runs a bundle signed by the provisioned key, for this board", async () => {
    var status = await sim.loader.flash(v1, { signature: signed(v1, 1000000) });
    expect(status.bundleCrc32).toBe(crc32(v1));
    expect(await echo.echo("signed")).toBe("signed");
    expect(sim.board.console()).toMatch(/loader: ed25519 check took \d+ timer cycles/);
  });

  it("refuses a tampered bundle (one byte flipped) and the old bundle keeps answering", async () => {
    var tampered = v2.slice();
    tampered[100] ^= 0x01;
    var e = await refused(sim.loader.flash(tampered, { signature: signed(v2, 1001000) }), "BundleTampered", crc32(v1));
    expect(e.message).toContain("key " + TRUSTED.id);
  });

  it("refuses a bundle signed by an unknown key, naming both keys", async () => {
    var e = await refused(sim.loader.flash(v2, { signature: signed(v2, 1001000, { key: STRANGER }) }), "SignerUntrusted", crc32(v1));
    expect(e.message).toContain(`signed by key ${STRANGER.id}, this board trusts key ${TRUSTED.id}`);
  });

  it("refuses a forged signature, a malformed file and a bundle signed for another board", async () => {
    var forged = signed(v2, 1001000);
    forged[forged.length - 96 + 5] ^= 0x80; // a bit of the signature
    await refused(sim.loader.flash(v2, { signature: forged }), "SignatureInvalid", crc32(v1));
    await refused(sim.loader.flash(v2, { signature: signed(v2, 1001000).subarray(1) }), "SignatureMalformed", crc32(v1));
    await refused(sim.loader.flash(v2, { signature: signed(v2, 1001000, { board: "esp32" }) }), "WrongBoard", crc32(v1));
  });

  it("refuses a rollback unless forced", async () => {
    await sim.loader.flash(v2, { signature: signed(v2, 1001000) });
    expect(await echo.echo("v2")).toBe("v2");
    var e = await refused(sim.loader.flash(v1, { signature: signed(v1, 1000000) }), "Rollback", crc32(v2));
    expect(e.message).toContain("version 1000000 is lower than the running release's 1001000");
    // The same version again is not a rollback.
    await sim.loader.flash(v2, { signature: signed(v2, 1001000) });
    var status = await sim.loader.flash(v1, { signature: signed(v1, 1000000), force: true });
    expect(status.bundleCrc32).toBe(crc32(v1));
    expect(await echo.echo("forced back")).toBe("forced back");
  });

  it("keeps the key over a machine reset and checks the stored release again before running it", async () => {
    await sim.systemReset();
    var status = await sim.loader.status();
    expect(status.running).toBe(true);
    expect(status.bundleCrc32).toBe(crc32(v1));
    expect(await echo.echo("after reset")).toBe("after reset");
    // After a forced rollback the floor is the running release's version (1.0.0): 1.0.0 again is taken.
    await sim.loader.flash(v1, { signature: signed(v1, 1000000) });
  }, 30000);

  it("does not run a preloaded bundle that has no signature file when a key is provisioned", async () => {
    var dir = mkdtempSync(join(tmpdir(), "cell-signing-"));
    try {
      var image = join(dir, "store.bin");
      writeFileSync(image, bundleImage(v1, crc32(v1), new Uint8Array(createHash("sha256").update(v1).digest())));
      var preloaded = await boards.start({ trustedKey: TRUSTED.raw, storeImage: image });
      var status = await preloaded.loader.status();
      expect(status.bundleSize).toBe(v1.length);
      expect(status.running).toBe(false);
      expect(status.lastError).toBe(
        `bundle not started: SignatureMalformed: no signature; this board trusts key ${TRUSTED.id} and takes signed bundles only (commitSigned)`
      );
      // It stays flashable: a signed bundle runs.
      await preloaded.loader.flash(v1, { signature: signed(v1, 1000000) });
      expect(await remote(Echo, preloaded.link, { timeoutMs: 10000 }).echo("now signed")).toBe("now signed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});

describe("a board with no provisioned key", () => {
  var boards = new Boards();
  afterAll(() => boards.closeAll());

  it("takes unsigned and signed bundles alike (the signature is not checked there)", async () => {
    var built = await buildBundles({ echo: "examples/echo/echo.ts" });
    try {
      var sim = await boards.start();
      var bytes = built.bundles.echo.bytes;
      var echo = remote(Echo, sim.link, { timeoutMs: 10000 });
      await sim.loader.flash(bytes);
      expect(await echo.echo("unsigned")).toBe("unsigned");
      var stranger = signRelease(bytes, { version: 5, board: "qemu-mps2-an385", cells: [] }, STRANGER.privateKey);
      await sim.loader.flash(bytes, { signature: stranger });
      expect(await echo.echo("signed by anyone")).toBe("signed by anyone");
    } finally {
      built.dispose();
    }
  }, 120000);
});

describe("cell flash's cell-loader method on a board with a key", () => {
  var boards = new Boards();
  afterAll(() => boards.closeAll());

  it("passes FlashRequest.signature: a tampered bundle is refused (exit 3, named), a signed one runs", async () => {
    var built = await buildBundles({ echo: "examples/echo/echo.ts" });
    try {
      var sim = await boards.start({ trustedKey: TRUSTED.raw });
      sim.disconnect(); // QEMU serves its UART to one client: cell flash's own connection
      var bundle = built.bundles.echo;
      var signature = signRelease(bundle.bytes, { version: 2000000, board: BOARD, cells: [] }, TRUSTED.privateKey);
      var request = { board: loadBoard(BOARD), port: sim.url, force: false, progress: createProgress("silent"), signature };
      var tampered = { ...bundle, bytes: bundle.bytes.slice() };
      tampered.bytes[10] ^= 0x20;
      var e = await rejectionOf(cellLoaderFlash({ ...request, bundle: tampered }));
      expect(e.name).toBe("CliError");
      expect(e.exitCode).toBe(ExitCode.BadInput);
      expect(e.message).toMatch(/^the board refused the bundle: BundleTampered: /);
      var report = await cellLoaderFlash({ ...request, bundle });
      expect(report.verified).toMatch(/and the signature if it trusts a key$/);
      var link = socketLink(await openSocket(parseTcpUrl(sim.url)), sim.maxFrame);
      try {
        expect(await remote(Echo, link, { timeoutMs: 10000 }).echo("via cell flash")).toBe("via cell flash");
      } finally {
        link.close();
      }
    } finally {
      built.dispose();
    }
  }, 120000);
});
