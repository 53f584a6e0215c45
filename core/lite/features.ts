// Which server features a bundle carries. All of them here; a board build replaces this module with
// what its cells' code can use (firmware/build/), so an unused feature is folded away.
/** A handler may answer later (ctx.defer()): the in-flight table, CANCEL, onCancel listeners, Overloaded. */
export var DEFER = true;
/** A handler may read its CallContext (peer, requestId, method, cancelled, onCancel). */
export var CONTEXT = true;
/** A handler may throw a CellError (its code goes on the wire; any other failure is HandlerFailed). */
export var CELL_ERRORS = true;
/** No two events of the bundle's cells share an id, so subscriptions are kept by event id alone. */
export var EVENT_IDS_UNIQUE = false;
/** A cell may come as what cell() returns (or an `info` literal), not a compiled member table: indexed at start. */
export var DEFS = true;
/** The server may be given announce options (ttl, instance id); a board build's entry gives none, so their defaults fold. */
export var OPTIONS = true;
/** The entry always gives the server its instance id (a board that advertises its cells picks it, for its beacon). */
export var INSTANCE_ID = false;
/** The link's frame size when the build knows it (the board's), else 0: the link's maxFrame. */
export var MAX_FRAME = 0;
/** COMPACT is the only codec and the cells' member tables hold its functions (compact-fns.ts): no codec table. */
export var FNS = false;
/** ANNOUNCE's cell list (count, then id, schema hash, name per cell) as byte-valued characters, made at build time; "" when not. */
export var ANNOUNCE = "";
/** What a serial port's 'data' event brings (lite/stream.ts): 1 Uint8Array, 2 a byte string (Espruino), 3 either. */
export var CHUNKS = 3;
/** The port's write() sends the whole ArrayBuffer behind a Uint8Array view (Kaluma's UART: module_uart.c ignores the view's offset and length), so the link writes a copy. */
export var WHOLE_BUFFER_WRITES = false;
/** Strings are byte strings (Espruino without Unicode, as on ESP32, Puck.js and Pico): a string on the
 * device holds the UTF-8 bytes themselves, one char per byte, so text is copied byte for byte, unchecked. */
export var BYTE_STRINGS = false;
/** The engine has TextEncoder and TextDecoder (Kaluma: real UTF-8, where its URI functions work on
 * JerryScript's internal CESU-8 and mangle characters above U+FFFF). */
export var TEXT_CODER = false;
/** The firmware may offer text natives (the QEMU sim firmware's sim.textIn / sim.textOut, handed over by
 * its adapter: utf8.ts useTextNatives): a string's bytes in one native call. Folded away on other boards. */
export var NATIVE_TEXT = true;
