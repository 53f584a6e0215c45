// Kaluma personality (JerryScript on the RP2040), as Kaluma's sources define it (checked against them
// and against jerry-kaluma, engines/jerryscript/README.md, which has the details and sources):
//  - require('uart').UART(port, options): an EventEmitter; 'data' events carry a new Uint8Array;
//    write() takes a Uint8Array (its whole ArrayBuffer goes out) or a string; close().
//  - require('events').EventEmitter; the global `storage` (string values, key + value <= 253 CESU-8
//    bytes, 64 slots, SystemError errno -144/-142); millis(); analogRead(pin) on GP26..GP29;
//    process.memoryUsage(); SystemError; TextEncoder/TextDecoder (UTF-8); Kaluma's own
//    encodeURIComponent/decodeURIComponent (CESU-8 bytes, unchecked); timers needing a number delay/id.
// Options (__rt.opts): link (UART port fed by stdin, default 0), "adc.<pin>" readings.
(function (g) {
  var rt = g.__rt;
  var o = rt.opts;
  var linkPort = +(o.link || 0);
  var open = {}; // port -> UART

  // global.c / err.c: SystemError(errno) extends Error, errno negative.
  var MESSAGES = {
    140: "Invalid pin number",
    142: "Storage full",
    143: "Key not found",
    144: "Data too long",
    145: "Device Init/Deinit Error",
    147: "Device Write Error"
  };
  function SystemError(errno) {
    if (errno > 0) errno = -errno;
    this.errno = errno;
    this.message = MESSAGES[-errno] || "Unknown error";
  }
  SystemError.prototype = Object.create(Error.prototype);
  SystemError.prototype.constructor = SystemError;
  g.SystemError = SystemError;
  function argType(v, type, name) {
    if (typeof v !== type) throw new TypeError('"' + name + '" argument must be a ' + type);
  }

  // Strings as CESU-8 bytes (one to three per UTF-16 unit), as JerryScript keeps them.
  function cesu8(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }
  // Bytes read back as CESU-8 (1-3 byte sequences); anything else is undefined on Kaluma: U+FFFD here.
  function fromCesu8(b) {
    var s = "";
    for (var i = 0; i < b.length;) {
      var c = b[i];
      if (c < 0x80) {
        s += String.fromCharCode(c);
        i++;
      } else if (c >> 5 === 6 && i + 1 < b.length) {
        s += String.fromCharCode(((c & 31) << 6) | (b[i + 1] & 63));
        i += 2;
      } else if (c >> 4 === 14 && i + 2 < b.length) {
        s += String.fromCharCode(((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63));
        i += 3;
      } else {
        s += "\ufffd";
        i++;
      }
    }
    return s;
  }
  // C strings: cut at the first NUL (Kaluma's natives take strings as NUL-terminated buffers).
  function cstr(s) {
    var z = s.indexOf("\u0000");
    return z < 0 ? s : s.slice(0, z);
  }

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
    if (list)
      for (var i = 0; i < list.length; i++)
        if (list[i] === fn) {
          list.splice(i, 1);
          break;
        }
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
    argType(port, "number", "port");
    // targets/rp2/src/uart.c km_uart_setup: no such port, already open, or pins it lacks.
    var tx = options.tx === undefined ? (port ? 8 : 0) : options.tx,
      rx = options.rx === undefined ? (port ? 9 : 1) : options.rx;
    var pinsOk =
      port === 0 ? [0, 12, 16].indexOf(tx) >= 0 && [1, 13, 17].indexOf(rx) >= 0 : [4, 8].indexOf(tx) >= 0 && [5, 9].indexOf(rx) >= 0;
    if ((port !== 0 && port !== 1) || open[port] || !pinsOk) throw new SystemError(-145);
    this.port = port;
    this.bufferSize = options.bufferSize || 2048;
    open[port] = this;
  }
  UART.prototype = new EventEmitter();
  UART.prototype.constructor = UART;
  UART.prototype.write = function (data) {
    if (open[this.port] !== this) throw new SystemError(-147);
    var bytes;
    if (typeof data === "string") {
      // jerryxx_string_to_ascii_char_buffer: one byte per unit, 0 above U+00FF.
      bytes = new Uint8Array(data.length);
      for (var i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) < 256 ? data.charCodeAt(i) : 0;
    } else if (data instanceof Uint8Array)
      bytes = new Uint8Array(data.buffer); // the whole buffer, as module_uart.c
    else throw new TypeError("The data argument must be Uint8Array or string.");
    if (this.port === linkPort) rt.write(bytes);
    return bytes.length;
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
    throw new Error("Failed to load module: " + name);
  };

  // storage.c: 64 slots of key + value bytes (at most 253); a replaced or removed item's slot stays
  // used until storage.js sweeps on "Storage full"; lookups match the key as a prefix of key + value.
  var slots = [];
  var SLOTS = 64;
  function find(key) {
    for (var i = 0; i < slots.length; i++) if (slots[i].live && (slots[i].key + slots[i].value).indexOf(key) === 0) return i;
    return -1;
  }
  function nativeSet(key, value) {
    argType(key, "string", "key");
    argType(value, "string", "value");
    key = cstr(key);
    value = cstr(value);
    if (cesu8(key).length + cesu8(value).length > 253) throw new SystemError(-144);
    var old = find(key);
    if (old >= 0) slots[old].live = false;
    if (slots.length >= SLOTS) throw new SystemError(-142);
    slots.push({ key: key, value: value, live: true });
  }
  function live() {
    var out = [];
    for (var i = 0; i < slots.length; i++) if (slots[i].live) out.push(slots[i]);
    return out;
  }
  g.storage = {
    getItem: function (key) {
      argType(key, "string", "key");
      var i = find(cstr(key));
      return i < 0 ? null : slots[i].value;
    },
    setItem: function (key, value) {
      try {
        nativeSet(key, value);
      } catch (e) {
        if (e.errno !== -142) throw e;
        slots = live(); // the sweep
        nativeSet(key, value);
      }
    },
    removeItem: function (key) {
      argType(key, "string", "key");
      var i = find(cstr(key));
      if (i >= 0) slots[i].live = false;
    },
    clear: function () {
      slots = [];
    },
    key: function (index) {
      argType(index, "number", "index");
      var l = live();
      return index >= 0 && index < l.length ? l[index].key : null;
    }
  };
  Object.defineProperty(g.storage, "length", {
    get: function () {
      return live().length;
    }
  });

  g.millis = function () {
    return rt.now();
  };
  g.micros = function () {
    return (rt.now() * 1000) % 4294967296;
  };
  g.analogRead = function (pin) {
    argType(pin, "number", "pin");
    if (pin !== 26 && pin !== 27 && pin !== 28 && pin !== 29) throw new SystemError(-140);
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

  // global.c timers: a function and a number are required, callbacks get no arguments, an interval
  // that throws is stopped, and clearTimeout/clearInterval need a number.
  var setT = g.setTimeout,
    setI = g.setInterval,
    clear = g.clearTimeout;
  g.setTimeout = function (fn, ms) {
    argType(fn, "function", "callback");
    argType(ms, "number", "delay");
    return setT(function () {
      fn();
    }, ms);
  };
  g.setInterval = function (fn, ms) {
    argType(fn, "function", "callback");
    argType(ms, "number", "delay");
    var id = setI(function () {
      try {
        fn();
      } catch (e) {
        clear(id);
        throw e;
      }
    }, ms);
    return id;
  };
  g.clearTimeout = g.clearInterval = function (id) {
    argType(id, "number", "id");
    clear(id);
  };
  g.console = { log: g.console.log, error: g.console.error };

  // global.c: TextEncoder/TextDecoder, UTF-8 (labels "utf-8", "ascii").
  function TextEncoder(label) {
    this.encoding = label === undefined ? "utf-8" : label;
  }
  TextEncoder.prototype.encode = function (s) {
    argType(s, "string", "input");
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (this.encoding === "ascii") out.push(c < 256 ? c : 0);
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        var cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
      } else out.push.apply(out, cesu8(s.charAt(i)));
    }
    return new Uint8Array(out);
  };
  function TextDecoder(label) {
    this.encoding = label === undefined ? "utf-8" : label;
  }
  TextDecoder.prototype.decode = function (b) {
    if (!(b instanceof Uint8Array)) throw new Error("input must be Uint8Array.");
    var s = "";
    for (var i = 0; i < b.length;) {
      var c = b[i];
      if (this.encoding === "ascii" || c < 0x80) {
        s += String.fromCharCode(c);
        i++;
      } else if (c >> 3 === 30 && i + 3 < b.length) {
        var cp = (((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63)) - 0x10000;
        s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023));
        i += 4;
      } else {
        var n = c >> 5 === 6 ? 2 : 3;
        s += fromCesu8(Array.prototype.slice.call(b, i, i + n));
        i += n;
      }
    }
    return s;
  };
  g.TextEncoder = TextEncoder;
  g.TextDecoder = TextDecoder;
  delete g.performance;
  delete g.queueMicrotask;

  // global.c: Kaluma's own URI functions, on CESU-8 bytes, unchecked, cut at a NUL when decoding.
  var HEX = "0123456789ABCDEF";
  g.encodeURIComponent = function (s) {
    var b = cesu8(String(s)),
      out = "";
    for (var i = 0; i < b.length; i++) {
      var c = b[i];
      if (/[0-9A-Za-z\-_.!~*'()]/.test(String.fromCharCode(c)) && c < 128) out += String.fromCharCode(c);
      else out += "%" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    }
    return out;
  };
  g.decodeURIComponent = function (s) {
    s = String(s);
    var b = [];
    for (var i = 0; i < s.length;) {
      if (s.charAt(i) === "%") {
        b.push(parseInt(s.substr(i + 1, 2), 16) || 0);
        i += 3;
      } else {
        b.push.apply(b, cesu8(s.charAt(i)));
        i++;
      }
    }
    var z = b.indexOf(0);
    return fromCesu8(z < 0 ? b : b.slice(0, z));
  };
})(this);
