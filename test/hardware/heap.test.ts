// Issue 11: the JS heap of each QEMU firmware (Duktape, JerryScript) after start and after 1,000 echo
// calls of random sizes up to the board's max frame: no wrong answer, no growth. The figures are taken
// after a full garbage collection on the board (sim.gc(), through the heap probe), so only live bytes count.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { remote } from "../../core/host/remote";
import { Echo } from "../../examples/echo/schema";
import { HeapProbe } from "./fixtures/heap-probe-schema";
import { loadBoard } from "../../firmware/build";
import type { SimSession } from "../../sim/session";
import type { SimBundle } from "../../sim/bundle";
import { buildBundles, Boards, BOARDS } from "./harness";
import { seededRandom, maxEchoBytes, randomText } from "../random-text";

const CALLS = 1000;
/** Bytes of heap in use a run may end with beyond its warm-up: far less than 1,000 calls leaking anything. */
const GROWTH_SLACK = 64;
describe.each(BOARDS)("JS heap on %s over 1,000 calls", (board) => {
  const boards = new Boards(board);
  let built: { bundles: { probe: SimBundle }; dispose(): void };
  let sim: SimSession;

  beforeAll(async () => {
    built = await buildBundles({ probe: "test/hardware/fixtures/heap-probe.ts" }, board);
    sim = await boards.start();
    await sim.loader.flash(built.bundles.probe.bytes);
  }, 120000);

  afterAll(async () => {
    await boards.closeAll();
    if (built) built.dispose();
  });

  it("answers 1,000 echo calls of random sizes with no wrong answer, and the heap does not grow", async () => {
    // The boot banner's figures: after the bundle's top level ran, garbage included.
    const banners = [...sim.board.console().matchAll(/heap=(\d+) used=(\d+) peak=(\d+) bundle=\d+ bytes crc32=[0-9a-f]+ running=yes/g)];
    expect(banners.length).toBeGreaterThan(0);
    const banner = banners[banners.length - 1];
    const probe = remote(HeapProbe, sim.link, { timeoutMs: 10000 });
    const echo = remote(Echo, sim.link, { timeoutMs: 10000 });
    const started = await probe.heap({});
    // Warm-up: first uses of code paths allocate once (property tables, interned strings).
    for (let i = 0; i < 50; i++) await echo.echo("w".repeat(i * 19) + "é");
    const warm = await probe.heap({});
    const maxBytes = maxEchoBytes(loadBoard(board).maxFrameBytes);
    const rnd = seededRandom(11);
    let wrong = 0;
    let callMs = 0;
    const calls = async (n: number) => {
      const t0 = Date.now();
      for (let i = 0; i < n; i++) {
        const s = randomText(rnd, maxBytes);
        if ((await echo.echo(s)) !== s) wrong++;
      }
      callMs += Date.now() - t0;
    };
    await calls(CALLS / 2);
    const half = await probe.heap({});
    await calls(CALLS / 2);
    const after = await probe.heap({});
    console.log(
      `${board}: ${CALLS} echo calls (text 0..${maxBytes} bytes), ${wrong} wrong, ${(callMs / CALLS).toFixed(1)} ms per call; JS heap in use (bytes, after gc): ` +
        `${started.used} after start (banner, before gc: ${banner[2]}, peak ${banner[3]}), ${warm.used} after 50 warm-up calls, ` +
        `${half.used} after ${CALLS / 2} more, ${after.used} after ${CALLS}; peak ${after.peak} of ${after.size}`
    );
    expect(wrong).toBe(0);
    // Live bytes after 1,000 calls: at most GROWTH_SLACK more than after the warm-up. A leak of one object
    // per call would be thousands of bytes; Duktape once ended 16 bytes up, flat in the next run.
    expect(after.used).toBeLessThanOrEqual(warm.used + GROWTH_SLACK);
    expect(after.peak).toBeLessThan(after.size);
  }, 600000);
});
