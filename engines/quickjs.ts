// The QuickJS engine (quickjs-emscripten): the same bundle and the same personality files as the
// Duktape runner, with the runner's natives (__rt) implemented as host functions and its event loop
// driven from Node. Its memory limit is not a faithful heap cap (it lets typed-array storage through),
// so heap figures here are for reporting, never for budgets.
import { readFileSync } from "node:fs";
import { getQuickJS, type QuickJSHandle } from "quickjs-emscripten";
import { StreamDecoder, StreamEncoder } from "../core/stream";
import { decodeHeader, newHeader } from "../core/header";
import { PERSONALITY_DIR } from "./build";
import type { Engine, EngineOptions, ExitInfo, HeapFigures } from "./types";

// Harness-side glue run inside QuickJS before the personality: bytes cross the boundary as ArrayBuffers.
const SHIM = `
(function (g) {
  var rt = g.__rt;
  function copyOut(x) {
    if (typeof x === "string") {
      var b = new Uint8Array(x.length);
      for (var i = 0; i < x.length; i++) b[i] = x.charCodeAt(i) & 255;
      return b.buffer;
    }
    if (x instanceof ArrayBuffer) return x.slice(0);
    if (x && x.buffer instanceof ArrayBuffer) return x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength);
    throw new TypeError("__rt: bytes or string expected");
  }
  rt.write = function (x) { g.__host_write(copyOut(x)); };
  rt.sendFrame = function (x) { return g.__host_send_frame(copyOut(x)); };
  g.__rt_input_ab = function (ab) { g.__rt_input(new Uint8Array(ab)); };
  g.__rt_frame_ab = function (ab) { g.__rt_frame(new Uint8Array(ab)); };
})(this);
`;

export async function startQuickJS(o: EngineOptions): Promise<Engine> {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMaxStackSize(256 * 1024);
  const vm = runtime.newContext();
  const virtual = o.clock === "virtual";
  const origin = performance.now();
  let virtualNow = 0;
  const now = () => (virtual ? virtualNow : performance.now() - origin);
  const maxFrame = o.maxFrame || 1024;
  const chunk = o.chunk || 1024;
  const logs: string[] = [];
  let uncaught = 0;
  let limit = 0;
  let baseline = 0;
  let peak = 0;
  let closed = false;
  let last: HeapFigures = { used: 0, peak: 0, baseline: 0, limit: 0 };
  let dataCb: ((b: Uint8Array) => void) | null = null;
  let closeCb: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let resolveExit: (info: ExitInfo) => void = () => {};
  const exited = new Promise<ExitInfo>((r) => (resolveExit = r));
  const encoder = new StreamEncoder(maxFrame);
  const decoder = new StreamDecoder(maxFrame);

  function used(): number {
    const h = runtime.computeMemoryUsage();
    const m = runtime.context!.dump(h) as { memory_used_size: number };
    h.dispose();
    return m.memory_used_size;
  }
  function sample(): HeapFigures {
    if (closed) return last;
    const u = used();
    if (u > peak) peak = u;
    last = { used: u, peak, baseline, limit };
    return last;
  }
  function out(bytes: Uint8Array): void {
    if (!closed && dataCb) dataCb(bytes);
  }

  function fn(name: string, f: (...args: QuickJSHandle[]) => QuickJSHandle | void, target: QuickJSHandle): void {
    const h = vm.newFunction(name, f);
    vm.setProp(target, name, h);
    h.dispose();
  }
  const rt = vm.newObject();
  fn("log", (s) => void logs.push(vm.getString(s)), rt);
  fn("now", () => vm.newNumber(now()), rt);
  fn(
    "heap",
    () => {
      const f = sample();
      const obj = vm.newObject();
      for (const [k, v] of Object.entries(f)) {
        const n = vm.newNumber(v);
        vm.setProp(obj, k, n);
        n.dispose();
      }
      return obj;
    },
    rt
  );
  fn(
    "wireDrops",
    () => {
      const obj = vm.newObject();
      for (const [k, v] of Object.entries(decoder.stats.drops)) {
        const n = vm.newNumber(v);
        vm.setProp(obj, k, n);
        n.dispose();
      }
      return obj;
    },
    rt
  );
  const opts = vm.newObject();
  for (const [k, v] of Object.entries(o.opts || {})) {
    const s = vm.newString(v);
    vm.setProp(opts, k, s);
    s.dispose();
  }
  vm.setProp(rt, "opts", opts);
  opts.dispose();
  for (const [k, v] of [
    ["personality", vm.newString(o.personality)],
    ["maxFrame", vm.newNumber(maxFrame)]
  ] as const) {
    vm.setProp(rt, k, v);
    v.dispose();
  }
  vm.setProp(vm.global, "__rt", rt);
  rt.dispose();
  fn(
    "__host_write",
    (ab) => {
      const bytes = vm.getArrayBuffer(ab);
      out(new Uint8Array(bytes.value));
      bytes.dispose();
    },
    vm.global
  );
  fn(
    "__host_send_frame",
    (ab) => {
      const lifetime = vm.getArrayBuffer(ab);
      const frame = new Uint8Array(lifetime.value);
      lifetime.dispose();
      // As the sim firmware: only a well-formed frame the link can carry is sent.
      if (frame.length > maxFrame || decodeHeader(frame, 0, frame.length, newHeader()) !== null) return vm.false;
      out(new Uint8Array(encoder.encode(frame)));
      return vm.true;
    },
    vm.global
  );

  function run(code: string, filename: string): string | null {
    const r = vm.evalCode(code, filename, { type: "global" });
    if (r.error) {
      const e = vm.dump(r.error);
      r.error.dispose();
      return typeof e === "object" && e ? `${e.name}: ${e.message}` : String(e);
    }
    r.value.dispose();
    return null;
  }

  function call(name: string, arg?: Uint8Array): number {
    const f = vm.getProp(vm.global, name);
    const args: QuickJSHandle[] = [];
    if (arg) args.push(vm.newArrayBuffer(arg.slice().buffer));
    const r = vm.callFunction(f, vm.undefined, ...args);
    f.dispose();
    args.forEach((a) => a.dispose());
    if (r.error) {
      const e = vm.dump(r.error);
      r.error.dispose();
      uncaught++;
      logs.push(`uncaught in ${name}: ${typeof e === "object" && e ? `${e.name}: ${e.message}` : String(e)}`);
      return NaN;
    }
    const v = vm.dump(r.value);
    r.value.dispose();
    return typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : NaN;
  }

  function pump(): void {
    if (closed) return;
    for (let guard = 0; guard < 100000 && call("__rt_timers") === 1; guard++);
    sample();
    if (timer) clearTimeout(timer);
    timer = null;
    const next = call("__rt_next");
    if (!virtual && next >= 0) timer = setTimeout(pump, Math.max(0, Math.ceil(next - now())));
  }

  const fail = (what: string, message: string) => {
    vm.dispose();
    runtime.dispose();
    throw new Error(`quickjs: ${what} failed: ${message}`);
  };
  let err = run(SHIM, "shim.js");
  for (const file of ["common.js", `${o.personality}.js`]) {
    err = err || run(readFileSync(`${PERSONALITY_DIR}/${file}`, "utf8"), file);
  }
  if (err) fail("personality", err);
  baseline = used();
  peak = baseline;
  if (o.heapLimit || o.heapBudget) {
    limit = o.heapLimit || baseline + (o.heapBudget as number);
    runtime.setMemoryLimit(limit);
  }
  err = run(readFileSync(o.bundle, "utf8"), o.bundle);
  if (err) fail("bundle", err);
  const started = sample();
  pump();

  const engine: Engine = {
    name: "quickjs",
    write(bytes) {
      if (closed) return;
      const copy = bytes.slice();
      if (o.personality === "sim") {
        decoder.feed(copy, (frame) => {
          call("__rt_frame_ab", frame);
        });
      } else {
        for (let at = 0; at < copy.length; at += chunk) call("__rt_input_ab", copy.subarray(at, at + chunk));
      }
      pump();
    },
    onData(cb) {
      dataCb = cb;
    },
    onClose(cb) {
      closeCb = cb;
    },
    onError() {},
    heap: () => sample(),
    started,
    logs,
    uncaught: () => uncaught,
    tick(ms) {
      if (!virtual) throw new Error("tick() needs clock: virtual");
      virtualNow += ms;
      pump();
    },
    close() {
      if (closed) return;
      sample();
      closed = true;
      if (timer) clearTimeout(timer);
      vm.dispose();
      runtime.dispose();
      resolveExit({ code: 0, reason: "eof" });
      if (closeCb) closeCb();
    },
    exited
  };
  return engine;
}
