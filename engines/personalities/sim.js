// The sim firmware's personality (our Duktape firmware under QEMU, sim/firmware/jsapi.c): frame level,
// because the firmware does COBS + CRC-32 in C (sim/firmware/wire.c, linked into the runner). The
// native `sim` object: sendFrame(u8) -> bool (false for a bad header or one over the link's size),
// onFrame = fn(u8), millis(), log(s), storageRead(key) -> u8 | undefined, storageWrite(key, u8) -> bool
// (an empty value removes the key), heap() -> {size, total, used, peak}, temperature(), board; globals
// print and the timers; no console. Store limits as sim/firmware/store.h: keys up to 64 bytes, values
// up to 1024, 8192 bytes in all with 3 bytes per entry.
(function (g) {
  var rt = g.__rt;
  var o = rt.opts;
  var store = {};
  var KEY_MAX = 64;
  var VALUE_MAX = 1024;
  var STORE_MAX = 8192;

  function stored() {
    var n = 0;
    for (var k in store) n += 3 + k.length + store[k].length;
    return n;
  }

  g.sim = {
    board: "qemu-mps2-an385",
    onFrame: null,
    sendFrame: function (frame) {
      if (!(frame instanceof Uint8Array)) throw new TypeError("sendFrame: Uint8Array expected");
      return rt.sendFrame(frame);
    },
    millis: function () {
      return rt.now();
    },
    log: function (message) {
      rt.log(String(message));
    },
    storageRead: function (key) {
      key = String(key);
      if (!Object.prototype.hasOwnProperty.call(store, key)) return undefined;
      var copy = new Uint8Array(store[key].length);
      copy.set(store[key]);
      return copy;
    },
    storageWrite: function (key, value) {
      key = String(key);
      if (!(value instanceof Uint8Array)) throw new TypeError("storageWrite: Uint8Array expected");
      if (key.length === 0 || key.length > KEY_MAX || value.length > VALUE_MAX) return false;
      if (value.length === 0) {
        delete store[key];
        return true;
      }
      var before = store[key];
      var copy = new Uint8Array(value.length);
      copy.set(value);
      store[key] = copy;
      if (stored() > STORE_MAX) {
        if (before) store[key] = before;
        else delete store[key];
        return false;
      }
      return true;
    },
    heap: function () {
      var h = rt.heap();
      return { size: h.limit, total: h.limit, used: h.used, peak: h.peak };
    },
    temperature: function () {
      if (o.temperature !== undefined) return +o.temperature;
      return 21.5 + 2 * Math.sin(rt.now() / 60000);
    }
  };

  delete g.console; // the firmware has print() and sim.log(), no console

  g.__rt_frame = function (frame) {
    if (typeof g.sim.onFrame === "function") g.sim.onFrame(frame);
    else rt.log("sim: frame of " + frame.length + " bytes dropped: no sim.onFrame");
  };
})(this);
