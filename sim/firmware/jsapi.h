/* The natives bundles see (the Duktape adapter in firmware/ relies on exactly these):
 *   sim.sendFrame(u8) -> bool, sim.onFrame = fn(u8), sim.millis(), sim.log(s),
 *   sim.storageRead(key) -> u8 | undefined, sim.storageWrite(key, u8) -> bool (empty u8 removes),
 *   sim.heap() -> {size, used, peak, total = size}, sim.temperature(), sim.board,
 *   setTimeout / clearTimeout / setInterval / clearInterval, print(...). */
#ifndef CELL_JSAPI_H
#define CELL_JSAPI_H

#include "duktape.h"

/* Installs the globals and keeps the `sim` object in the heap stash (C finds onFrame there). */
void jsapi_install(duk_context *ctx);

#endif
