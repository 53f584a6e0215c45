// Kaluma personality (JerryScript on the RP2040), as Kaluma's docs and modules describe it:
//  - require('uart').UART(port, options): an EventEmitter; 'data' events carry a new Uint8Array;
//    write() takes a Uint8Array or a string; close().
//  - require('events').EventEmitter; the global `storage` (string values, key + value <= 253 bytes,
//    at most 64 items); millis(); analogRead(pin) on GP26..GP29; process.memoryUsage(); board.
// Options (__rt.opts): link (UART port fed by stdin, default 0), "adc.<pin>" readings.
(function (g) {
  var rt = g.__rt;
  var o = rt.opts;
  var linkPort = +(o.link || 0);
  var BAUDS = [0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];
  var open = {}; // port -> UART

  function EventEmitter() {
    this._events = {};
  }
  EventEmitter.prototype.on = EventEmitter.prototype.addListener = function (event, fn) {
    if (typeof fn !== "function") throw new TypeError("listener must be a function");
    (this._events[event] || (this._events[event] = [])).push(fn);
    return this;
  };
  EventEmitter.prototype.once = function (event, fn) {
    var self = this;
    function wrapper(a, b, c) {
      self.removeListener(event, wrapper);
      fn.call(self, a, b, c);
    }
    return this.on(event, wrapper);
  };
  EventEmitter.prototype.removeListener = EventEmitter.prototype.off = function (event, fn) {
    var list = this._events[event];
    if (list) for (var i = 0; i < list.length; i++) if (list[i] === fn) { list.splice(i, 1); break; }
    return this;
  };
  EventEmitter.prototype.removeAllListeners = function (event) {
    if (event === undefined) this._events = {};
    else delete this._events[event];
    return this;
  };
  EventEmitter.prototype.emit = function (event, a, b, c) {
    var list = this._events[event];
    if (!list || list.length === 0) return false;
    list = list.slice();
    for (var i = 0; i < list.length; i++) list[i].call(this, a, b, c);
    return true;
  };
  EventEmitter.prototype.listenerCount = function (event) {
    return (this._events[event] || []).length;
  };

  function UART(port, options) {
    EventEmitter.call(this);
    options = options || {};
    if (port !== 0 && port !== 1) throw new RangeError("UART port must be 0 or 1");
    var baud = options.baudrate === undefined ? 115200 : options.baudrate;
    if (BAUDS.indexOf(baud) < 0) throw new RangeError("unsupported baudrate " + baud);
    if (open[port]) throw new Error("UART " + port + " is already open");
    this.port = port;
    this.bufferSize = options.bufferSize || 2048;
    open[port] = this;
  }
  UART.prototype = new EventEmitter();
  UART.prototype.constructor = UART;
  UART.prototype.write = function (data) {
    if (open[this.port] !== this) throw new Error("UART " + this.port + " is closed");
    var bytes;
    if (typeof data === "string") {
      bytes = new Uint8Array(data.length);
      for (var i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 255;
    } else if (data instanceof Uint8Array) bytes = data;
    else throw new TypeError("UART.write: Uint8Array or string expected");
    if (this.port === linkPort) rt.write(bytes);
  };
  UART.prototype.close = function () {
    if (open[this.port] === this) delete open[this.port];
  };
  UART.PARITY_NONE = 0;
  UART.PARITY_ODD = 1;
  UART.PARITY_EVEN = 2;
  UART.FLOW_NONE = 0;
  UART.FLOW_RTS = 1;
  UART.FLOW_CTS = 2;
  UART.FLOW_RTS_CTS = 3;

  g.__rt_input = function (bytes) {
    var u = open[linkPort];
    if (!u) {
      rt.log("kaluma: " + bytes.length + " bytes on UART" + linkPort + " lost: the port is not open");
      return;
    }
    // Bytes past the read buffer are lost before the event runs, as on the board.
    var n = Math.min(bytes.length, u.bufferSize);
    var copy = new Uint8Array(n);
    copy.set(bytes.subarray(0, n));
    u.emit("data", copy);
  };

  var modules = { uart: { UART: UART }, events: { EventEmitter: EventEmitter } };
  g.require = function (name) {
    if (modules[name]) return modules[name];
    throw new Error("Cannot find module '" + name + "'");
  };

  var items = {};
  var MAX_ITEM = 253;
  var MAX_ITEMS = 64;
  function count() {
    var n = 0;
    for (var k in items) n++;
    return n;
  }
  g.storage = {
    getItem: function (key) {
      key = String(key);
      return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null;
    },
    setItem: function (key, value) {
      key = String(key);
      value = String(value);
      if (key.length + value.length > MAX_ITEM) throw new Error("storage: item larger than " + MAX_ITEM + " bytes");
      if (!Object.prototype.hasOwnProperty.call(items, key) && count() >= MAX_ITEMS) throw new Error("storage: full (" + MAX_ITEMS + " items)");
      items[key] = value;
    },
    removeItem: function (key) {
      delete items[String(key)];
    },
    clear: function () {
      items = {};
    },
    key: function (index) {
      var i = 0;
      for (var k in items) if (i++ === index) return k;
      return null;
    }
  };
  Object.defineProperty(g.storage, "length", { get: count });

  g.millis = function () {
    return rt.now();
  };
  g.micros = function () {
    return (rt.now() * 1000) % 4294967296;
  };
  g.analogRead = function (pin) {
    if (pin !== 26 && pin !== 27 && pin !== 28 && pin !== 29) throw new RangeError("pin " + pin + " has no ADC");
    var v = o["adc." + pin];
    return v === undefined ? 0.5 : +v;
  };
  g.board = { name: "pico", LED: 25 };
  g.process = {
    arch: "arm",
    platform: "rp2",
    version: o.version || "1.1.0",
    memoryUsage: function () {
      var h = rt.heap();
      return { heapTotal: h.limit, heapUsed: h.used, heapPeak: h.peak };
    }
  };

  var missing = ["TextEncoder", "TextDecoder", "performance", "queueMicrotask"];
  for (var m = 0; m < missing.length; m++) delete g[missing[m]];
})(this);
