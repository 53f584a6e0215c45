// The engine harness: runs a device bundle unmodified in a real small engine (Duktape in a C runner,
// or QuickJS in WebAssembly) under a personality, and gives it back as a BytePort so a test can wrap it
// in core's streamLink and call the device with remote().
import { startDuktape } from "./duktape";
import { startQuickJS } from "./quickjs";
import type { Engine, EngineOptions } from "./types";

export type { Engine, EngineOptions, EngineName, Personality, HeapFigures, ExitInfo } from "./types";
export { ensureDuktapeRunner } from "./build";

export function startEngine(o: EngineOptions): Promise<Engine> {
  return o.engine === "duktape" ? startDuktape(o) : startQuickJS(o);
}
