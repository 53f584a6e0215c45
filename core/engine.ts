// What kind of engine runs this code, for the few speed tricks that cost RAM or need a compiler.

declare var WebAssembly: unknown;

/**
 * True on the big JIT engines (V8, JavaScriptCore, SpiderMonkey: all of them, and no device interpreter,
 * have WebAssembly). There, an 8 KiB CRC table, a slab for decoded bytes and compiled object builders
 * pay off; on Espruino, Duktape, JerryScript or QuickJS the RAM is worth more, so they are left out.
 */
export var jitEngine = typeof WebAssembly === "object" && WebAssembly !== null;
