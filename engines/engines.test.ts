// The engine harness end to end: hand-written ES5 bundles that use each personality's APIs run in
// Duktape (C runner, capped heap) and QuickJS, answer stream frames sent through core's streamLink,
// survive garbage and thrown errors, and a bundle that outgrows the heap cap fails in Duktape, whose
// runner is a 32-bit program so that its heap figures are those of the 32-bit boards.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { startEngine, ensureDuktapeRunner, type Engine, type EngineName, type Personality } from "./index";
import { check32Bit, M32_INSTALL } from "./build";
import { echoFixture, removeFixtureBundles, writeBundle } from "./fixtures/bundle";
import { streamLink } from "../core/stream-link";
import type { Transport } from "../core/transport";
import { HEADER_SIZE, Kind, CodecId, encodeHeader, newHeader, decodeHeader } from "../core/header";

// The first build compiles Duktape (several seconds): done here, not inside a test's time limit.
beforeAll(() => void ensureDuktapeRunner(), 120000);
// The fixture bundles written to a temporary folder go with it.
afterAll(() => removeFixtureBundles());

const running: Engine[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) {
    e.close();
    await e.exited;
  }
});

const PERSONALITY_OPTS: Record<Personality, Record<string, string>> = {
  espruino: { link: "Serial1", console: "Serial1", temperature: "23.4" },
  kaluma: { link: "0", "adc.26": "0.2" },
  sim: { temperature: "19.5" }
};

async function start(engine: EngineName, personality: Personality, extra?: { heapLimit?: number; heapBudget?: number; chunk?: number }) {
  const e = await startEngine({
    engine,
    personality,
    bundle: echoFixture(personality),
    opts: PERSONALITY_OPTS[personality],
    clock: "virtual",
    ...extra
  });
  running.push(e);
  return e;
}

function text(b: Uint8Array): string {
  return Buffer.from(b).toString("latin1");
}

/** A REQUEST frame with a latin1 payload. */
function request(id: number, payload: string): Uint8Array {
  const body = Buffer.from(payload, "latin1");
  const f = new Uint8Array(HEADER_SIZE + body.length);
  encodeHeader(
    { ...newHeader(), kind: Kind.Request, codec: CodecId.Raw, cellId: 7, methodId: 99, requestId: id, length: body.length },
    f,
    0
  );
  f.set(body, HEADER_SIZE);
  return f;
}

/** A stream link to the engine that resolves each answer by request id. */
function client(engine: Engine) {
  const link: Transport = streamLink(engine, { maxFrame: 2048 });
  const waiting = new Map<number, (payload: string) => void>();
  link.onFrame((frame) => {
    const h = newHeader();
    expect(decodeHeader(frame, 0, frame.length, h)).toBeNull();
    expect(h.kind).toBe(Kind.Response);
    const done = waiting.get(h.requestId);
    waiting.delete(h.requestId);
    if (done) done(text(frame.subarray(HEADER_SIZE)));
  });
  let next = 1;
  return {
    link,
    ask(payload: string, timeoutMs = 5000): Promise<string> {
      const id = next++;
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no answer to ${JSON.stringify(payload.slice(0, 20))}; logs: ${engine.logs.join(" | ")}`)),
          timeoutMs
        );
        waiting.set(id, (p) => {
          clearTimeout(t);
          resolve(p);
        });
        link.send(request(id, payload));
      });
    }
  };
}

for (const engine of ["duktape", "quickjs"] as EngineName[]) {
  for (const personality of ["espruino", "kaluma", "sim"] as Personality[]) {
    describe(`${engine} / ${personality}`, () => {
      it("echoes frames, small and large, split into UART-sized chunks", async () => {
        const e = await start(engine, personality, { chunk: 16 });
        const c = client(e);
        expect(await c.ask("Ehello")).toBe("hello");
        const big = "E" + Array.from({ length: 900 }, (_, i) => String.fromCharCode(i % 256)).join("");
        expect(await c.ask(big)).toBe(big.slice(1));
        const answers = await Promise.all([c.ask("Ea"), c.ask("Eb\u0000c"), c.ask("E")]);
        expect(answers).toEqual(["a", "b\u0000c", ""]);
      });

      it("uses the engine's storage, temperature and timers", async () => {
        const e = await start(engine, personality);
        const c = client(e);
        expect(await c.ask("Skey=v\u0001\u00ff")).toBe("ok:v\u0001\u00ff");
        const t = Number(await c.ask("T"));
        const expected = { espruino: 23.4, kaluma: 27 - (0.2 * 3.3 - 0.706) / 0.001721, sim: 19.5 }[personality];
        expect(t).toBeCloseTo(expected, 0);
        const later = c.ask("D250");
        await new Promise((r) => setTimeout(r, 30));
        e.tick(100); // not yet due
        e.tick(200);
        expect(await later).toBe("done 300");
      });

      it("survives garbage, truncated frames and a throwing handler", async () => {
        const e = await start(engine, personality);
        const c = client(e);
        const noise = new Uint8Array(3000);
        for (let i = 0; i < noise.length; i++) noise[i] = (i * 131 + 7) & 255;
        e.write(noise);
        e.write(new Uint8Array([0]));
        e.write(new Uint8Array([5, 1, 2, 0])); // COBS that ends early
        e.write(new Uint8Array([0x03, 0xce, 0x01, 0x00])); // a frame cut by the next delimiter
        const before = e.uncaught();
        await c.ask("!", 300).catch(() => "no answer");
        expect(await c.ask("Estill here")).toBe("still here");
        expect(e.uncaught()).toBe(before + 1);
        const exit = e.exited;
        e.close();
        expect((await exit).reason).toBe("eof");
      });
    });
  }
}

describe("espruino personality is faithful about the console", () => {
  it("feeds the console's input to the REPL, not to on('data')", async () => {
    const bundle = writeBundle("console-not-moved", `Serial1.on("data", function (s) { Serial1.write("got " + s.length); });`);
    for (const engine of ["duktape", "quickjs"] as EngineName[]) {
      const e = await startEngine({ engine, personality: "espruino", bundle, opts: { link: "Serial1", console: "Serial1" } });
      running.push(e);
      const out: number[] = [];
      e.onData((b) => out.push(...b));
      e.write(new Uint8Array([1, 2, 3]));
      await new Promise((r) => setTimeout(r, 100));
      expect(out).toEqual([]);
      expect(e.logs.join("\n")).toContain("went to the REPL");
    }
  });
});

describe("duktape runner build", () => {
  it("is a 32-bit program, so Duktape's values and objects have the boards' sizes", () => {
    const elf = readFileSync(ensureDuktapeRunner()).subarray(0, 5);
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]); // "\x7fELF"
    expect(elf[4]).toBe(1); // ELFCLASS32
  });

  it("refuses a compiler that cannot build 32-bit programs, naming the package to install", () => {
    // Stands in for gcc without multilib, which fails on -m32 like this.
    const dir = mkdtempSync(`${tmpdir()}/cell-cc64-`);
    const cc = `${dir}/cc`;
    writeFileSync(cc, "#!/bin/sh\necho 'fatal error: bits/libc-header-start.h: No such file or directory' >&2\nexit 1\n");
    chmodSync(cc, 0o755);
    try {
      expect(() => check32Bit(cc)).toThrow(M32_INSTALL);
      expect(M32_INSTALL).toBe("apt-get install -y gcc-multilib");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("duktape heap cap", () => {
  it("stops a bundle that allocates past the cap while loading", async () => {
    const bundle = writeBundle("hog", `var keep = []; for (var i = 0; i < 100000; i++) keep.push(new Uint8Array(1024));`);
    await expect(startEngine({ engine: "duktape", personality: "sim", bundle, heapBudget: 64 * 1024 })).rejects.toThrow(/oom/);
  });

  it("ends the device with reason oom when a request outgrows the budget, and reports heap figures", async () => {
    const e = await start("duktape", "sim", { heapBudget: 48 * 1024 });
    const c = client(e);
    expect(e.started.limit).toBe(e.started.baseline + 48 * 1024);
    expect(e.started.used).toBeGreaterThan(e.started.baseline);
    expect(e.started.peak).toBeGreaterThanOrEqual(e.started.used);
    expect(await c.ask("X8000")).toBe("kept 1");
    let reply = "";
    for (let i = 0; i < 10 && reply !== "dead"; i++) reply = await c.ask("X8000", 1000).catch(() => "dead");
    const exit = await e.exited;
    expect(exit.reason).toBe("oom");
    expect(e.heap().peak).toBeLessThanOrEqual(e.heap().limit);
  });

  it("caps the whole heap with heapLimit, built-ins included", async () => {
    const bundle = writeBundle("tiny", `var x = 1;`);
    await expect(startEngine({ engine: "duktape", personality: "sim", bundle, heapLimit: 20000 })).rejects.toThrow(
      /below what the engine needs|oom/
    );
  });
});
