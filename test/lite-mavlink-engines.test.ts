// The device's MAVLink link (core/lite/mavlink.ts, compiled to ES5) running in the real small engines
// (Duktape, 32-bit, capped heap; QuickJS) under the Espruino personality, as a board wired to a flight
// controller's TELEM port: the host reaches it with its MAVLink link, and the minified size it adds to
// a bundle is measured.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { minify } from "terser";
import { startEngine, ensureDuktapeRunner, type Engine, type EngineName } from "../engines/index";
import { writeBundle } from "../engines/fixtures/bundle";
import { openMavlink } from "../transports/mavlink/index";
import { HEADER_SIZE, Kind, CodecId, encodeHeader, newHeader, decodeHeader } from "../core/header";

beforeAll(() => void ensureDuktapeRunner(), 120000);
const running: Engine[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) {
    e.close();
    await e.exited;
  }
});

/** core/lite/mavlink.ts as ES5, its one import (features.ts CHUNKS) given as a build would fold it. */
function deviceModule(): string {
  const src = readFileSync(new URL("../core/lite/mavlink.ts", import.meta.url), "utf8");
  const js = ts.transpileModule(src, {
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS, removeComments: true }
  }).outputText;
  return `var exports = {};\nvar require = function () { return { CHUNKS: 3 }; };\n${js}\n`;
}

function bundle(): string {
  const app = readFileSync(new URL("../engines/fixtures/app.js", import.meta.url), "utf8");
  const glue = `
var port = Serial1;
LoopbackA.setConsole(true);
port.setup(57600);
var link = exports.mavlinkLink({ write: function (b) { port.write(b); }, on: function (e, cb) { port.on("data", cb); } }, 1044, 1, 191);
var handle = makeApp({
  send: function (frame) { link.send(frame); },
  temperature: function () { return E.getTemperature(); },
  heap: function () { return process.memory(); },
  storageWrite: function () { return false; },
  storageRead: function () { return null; },
  now: function () { return getTime() * 1000; }
});
link.onFrame(function (f) { handle(f); });
link.heartbeat();
setInterval(function () { link.heartbeat(); }, 1000);
`;
  return writeBundle("mavlink-espruino", `(function () {\n"use strict";\n${deviceModule()}\n${app}\n${glue}\n})();\n`);
}

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

describe("device MAVLink link in the real engines", () => {
  for (const engine of ["duktape", "quickjs"] as EngineName[]) {
    it(`${engine}: answers frames sent in TUNNELs, one and nine fragments, and sends HEARTBEATs`, async () => {
      const e = await startEngine({
        engine,
        personality: "espruino",
        bundle: bundle(),
        opts: { link: "Serial1", console: "Serial1" },
        chunk: 16
      });
      running.push(e);
      const host = await openMavlink("engine", { port: e, system: 255, component: 190, heartbeatMs: 0 });
      const answers = new Map<number, string>();
      host.onFrame((f) => {
        const h = newHeader();
        expect(decodeHeader(f, 0, f.length, h)).toBeNull();
        answers.set(h.requestId, Buffer.from(f.subarray(HEADER_SIZE)).toString("latin1"));
      });
      const until = async (what: string, cond: () => boolean) => {
        const end = Date.now() + 10000;
        while (!cond()) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}; logs: ${e.logs.join(" | ")}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      await until("its heartbeat", () => host.peers().length === 1);
      expect(host.peers()[0].id).toBe("mavlink:1/191");
      host.send(request(1, "Ehello"));
      const big = "E" + Array.from({ length: 1000 }, (_, i) => String.fromCharCode(i % 256)).join("");
      host.send(request(2, big));
      await until("both answers", () => answers.size === 2);
      expect(answers.get(1)).toBe("hello");
      expect(answers.get(2)).toBe(big.slice(1));
      expect(host.stats.drops).toEqual({});
      host.close();
    }, 30000);
  }

  it("adds under 2.5 KB minified to a bundle (its CommonJS wrapper included)", async () => {
    const min = await minify(deviceModule(), { ecma: 5, compress: { passes: 2 }, mangle: true });
    const size = Buffer.byteLength(min.code!);
    console.log(`core/lite/mavlink.ts minified: ${size} bytes`);
    expect(size).toBeLessThan(2560);
  });
});
