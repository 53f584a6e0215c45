// The simulated board's main loop runs its timers however busy its UART is (issue 10, item 1): a host
// that keeps the UART full (requests written back to back, never a pause) still hears the bundle's
// ANNOUNCE, a timer, every ttl/3 (10 s).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Kind, CodecId, HEADER_SIZE, encodeHeader } from "../../core/header";
import { Echo } from "../../examples/echo/schema";
import { openSerial, SerialTransport } from "../../transports/serial";
import type { SimBundle } from "../../sim/bundle";
import { buildBundles, Boards, waitFor } from "./harness";

/** One echo REQUEST in COMPACT: a string of `n` bytes (n < 16384: a two-byte varint length). */
function echoRequest(requestId: number, n: number): Uint8Array {
  const f = new Uint8Array(HEADER_SIZE + 2 + n);
  encodeHeader({ kind: Kind.Request, flags: 0, codec: CodecId.Compact, cellId: Echo.id, methodId: Echo.info.echo.id, requestId, length: 2 + n }, f, 0);
  f[HEADER_SIZE] = (n & 0x7f) | 0x80;
  f[HEADER_SIZE + 1] = n >> 7;
  f.fill(0x7a, HEADER_SIZE + 2);
  return f;
}

describe("the sim firmware's timers under a full UART", () => {
  var boards = new Boards();
  var built: { bundles: { echo: SimBundle }; dispose(): void };
  var link: SerialTransport;

  beforeAll(async () => {
    built = await buildBundles({ echo: "examples/echo/echo.ts" });
    var sim = await boards.start();
    expect(await sim.loader.flash(built.bundles.echo.bytes)).toMatchObject({ running: true });
    sim.disconnect();
    link = await openSerial(sim.url, { maxFrame: 1044 });
  }, 180000);

  afterAll(async () => {
    if (link) link.close();
    await boards.closeAll();
    if (built) built.dispose();
  });

  it("hears the board's ANNOUNCE every 10 s while 25 s of requests wait in its UART", async () => {
    var answers = 0;
    var announces: number[] = [];
    link.onFrame((f) => {
      var kind = f[2] & 15;
      if (kind === Kind.Announce) announces.push(Date.now());
      else if (kind === Kind.Response) answers++;
    });
    // Measure the board's pace, then queue about 25 s of work at once.
    var t0 = Date.now();
    for (var i = 1; i <= 20; i++) link.send(echoRequest(i, 900));
    await waitFor("20 answers", () => answers === 20, 60000);
    var perRequest = (Date.now() - t0) / 20;
    var n = Math.min(5000, Math.ceil(25000 / perRequest));
    var start = Date.now();
    announces.length = 0;
    for (var j = 0; j < n; j++) link.send(echoRequest(100 + j, 900));
    await waitFor(`${n} answers`, () => answers === 20 + n, 240000);
    var took = Date.now() - start;
    var gaps = announces.map((t, k) => t - (k ? announces[k - 1] : start));
    console.log(`firmware timers: ${n} requests of 900 bytes answered in ${took} ms (${perRequest.toFixed(1)} ms each), ${announces.length} ANNOUNCEs meanwhile, longest gap ${Math.max(0, ...gaps)} ms`);
    expect(took).toBeGreaterThan(20000);
    expect(announces.length).toBeGreaterThanOrEqual(Math.floor(took / 10000) - 1);
    expect(Math.max(...gaps)).toBeLessThan(15000);
  }, 300000);
});
