// Espruino personality: the objects an Espruino board gives a bundle, as Espruino behaves.
//  - Serial devices (Serial1, Serial2, USB, Bluetooth, LoopbackA/B): on('data') gets a string of
//    byte-valued chars; write() takes strings, numbers, arrays and typed arrays.
//  - The console device eats its input (the REPL) instead of emitting 'data', and console output goes
//    to it: a bundle whose link is the console must move the console (LoopbackA.setConsole(true)).
//  - E.CRC32, E.toUint8Array, E.toString, E.getTemperature, getTime() in seconds, require("Storage"),
//    process.memory() in JsVars; NRF.setAdvertising and setScanResponse on boards with Bluetooth.
//  - Pins are global objects (D17, A2, ...); Serial.setup() takes them as {tx, rx}.
// Options (__rt.opts): link (device fed by stdin, default Serial1), console (default Serial1),
// devices (comma list), pins (ranges, default D0-D47,A0-A15,B0-B15,C0-C15), blocksize (bytes per
// JsVar, default 13), temperature, storageBytes, "adc.<pin>" readings.
(function (g) {
  var rt = g.__rt;
  var o = rt.opts;
  var linkName = o.link || "Serial1";
  var names = (o.devices || "Serial1,Serial2,USB,Bluetooth,LoopbackA,LoopbackB").split(",");
  var consoleDevice = null;

  function pushBytes(out, v) {
    var i;
    if (typeof v === "number") out.push(v & 255);
    else if (typeof v === "string") for (i = 0; i < v.length; i++) out.push(v.charCodeAt(i) & 255);
    else if (v instanceof ArrayBuffer) pushBytes(out, new Uint8Array(v));
    else if (v && typeof v === "object" && typeof v.length === "number") for (i = 0; i < v.length; i++) pushBytes(out, v[i]);
    else if (v && typeof v === "object" && v.data !== undefined) for (i = 0; i < (v.count || 1); i++) pushBytes(out, v.data);
    else if (v !== undefined && v !== null) throw new TypeError("Espruino: cannot write " + typeof v);
  }
  function bytesOf(args) {
    var out = [];
    for (var i = 0; i < args.length; i++) pushBytes(out, args[i]);
    return out;
  }
  function binaryString(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i += 256) s += String.fromCharCode.apply(null, Array.prototype.slice.call(bytes, i, i + 256));
    return s;
  }

  function Pin(name) {
    this._name = name;
  }
  Pin.prototype.toString = function () {
    return this._name;
  };
  var ranges = (o.pins || "D0-D47,A0-A15,B0-B15,C0-C15").split(",");
  for (var r = 0; r < ranges.length; r++) {
    var m = /^([A-Z]+)(\d+)-[A-Z]*(\d+)$/.exec(ranges[r]);
    if (!m) throw new Error("espruino personality: bad pin range " + ranges[r]);
    for (var pin = +m[2]; pin <= +m[3]; pin++) g[m[1] + pin] = new Pin(m[1] + pin);
  }
  function checkPin(p, what) {
    if (p !== undefined && !(p instanceof Pin)) throw new Error("Serial.setup: " + what + " is not a pin: " + p);
  }

  function Serial(name) {
    this._name = name;
    this._on = {};
  }
  Serial.prototype.setup = function (baud, options) {
    if (typeof baud !== "number" || !(baud > 0)) throw new Error("Invalid baud rate " + baud);
    if (options) {
      checkPin(options.tx, "tx");
      checkPin(options.rx, "rx");
    }
    this._baud = baud;
    this._options = options;
  };
  Serial.prototype.on = function (event, fn) {
    (this._on[event] || (this._on[event] = [])).push(fn);
  };
  Serial.prototype.removeAllListeners = function (event) {
    if (event) delete this._on[event];
    else this._on = {};
  };
  Serial.prototype.emit = function (event, value) {
    var list = this._on[event];
    if (list) for (var i = 0; i < list.length; i++) list[i].call(this, value);
  };
  Serial.prototype.write = function () {
    var bytes = bytesOf(arguments);
    if (this._name === linkName) rt.write(new Uint8Array(bytes));
    else if (this._name === "LoopbackA" && g.LoopbackB) g.LoopbackB.emit("data", binaryString(bytes));
  };
  Serial.prototype.print = function (s) {
    this.write(String(s));
  };
  Serial.prototype.println = function (s) {
    this.write(String(s) + "\r\n");
  };
  Serial.prototype.setConsole = function () {
    consoleDevice = this;
  };
  for (var i = 0; i < names.length; i++) g[names[i]] = new Serial(names[i]);
  consoleDevice = g[o.console || "Serial1"] || null;
  if (!g[linkName]) throw new Error("espruino personality: link device " + linkName + " is not among " + names.join(","));

  g.__rt_input = function (bytes) {
    var dev = g[linkName];
    if (dev === consoleDevice) {
      rt.log("espruino: " + bytes.length + " bytes on " + linkName + " went to the REPL: it is the console");
      return;
    }
    dev.emit("data", binaryString(bytes));
  };
  g.__rt_print = function (line) {
    if (consoleDevice && consoleDevice._name === linkName) consoleDevice.write(line + "\r\n");
    else rt.log(line);
  };

  var CRC_TABLE = [];
  for (var n = 0; n < 256; n++) {
    var c = n;
    for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    CRC_TABLE[n] = c >>> 0;
  }

  g.E = {
    CRC32: function (data) {
      var bytes = bytesOf([data]);
      var crc = 0xffffffff;
      for (var i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 255] ^ (crc >>> 8);
      return (crc ^ 0xffffffff) >>> 0;
    },
    toUint8Array: function () {
      return new Uint8Array(bytesOf(arguments));
    },
    toString: function () {
      return binaryString(bytesOf(arguments));
    },
    toArrayBuffer: function (s) {
      return new Uint8Array(bytesOf([s])).buffer;
    },
    getTemperature: function () {
      if (o.temperature !== undefined) return +o.temperature;
      return 21.5 + 2 * Math.sin(rt.now() / 60000);
    }
  };

  g.getTime = function () {
    return rt.now() / 1000;
  };

  var files = {};
  var storageBytes = +(o.storageBytes || 40960);
  function usedBytes() {
    var total = 0;
    for (var name in files) total += files[name].length + 32; // Espruino's file header
    return total;
  }
  function checkName(name) {
    name = String(name);
    if (name.length === 0 || name.length > 28) throw new Error("Storage: name must be 1..28 characters: " + name);
    return name;
  }
  var Storage = {
    read: function (name, offset, length) {
      var f = files[checkName(name)];
      if (f === undefined) return undefined;
      offset = offset || 0;
      return f.substr(offset, length === undefined ? f.length - offset : length);
    },
    readArrayBuffer: function (name) {
      var f = files[checkName(name)];
      return f === undefined ? undefined : new Uint8Array(bytesOf([f])).buffer;
    },
    readJSON: function (name, noExceptions) {
      var f = files[checkName(name)];
      if (f === undefined) return undefined;
      try {
        return JSON.parse(f);
      } catch (e) {
        if (noExceptions) return undefined;
        throw e;
      }
    },
    write: function (name, data, offset) {
      name = checkName(name);
      var s =
        typeof data === "string"
          ? data
          : data && typeof data === "object" && typeof data.length !== "number" && !(data instanceof ArrayBuffer)
            ? JSON.stringify(data)
            : binaryString(bytesOf([data]));
      if (offset) {
        var old = files[name] || "";
        s = old.substr(0, offset) + s + old.substr(offset + s.length);
      }
      var before = files[name];
      files[name] = s;
      if (usedBytes() > storageBytes) {
        if (before === undefined) delete files[name];
        else files[name] = before;
        return false;
      }
      return true;
    },
    erase: function (name) {
      delete files[checkName(name)];
    },
    list: function () {
      var out = [];
      for (var name in files) out.push(name);
      return out;
    },
    getFree: function () {
      return storageBytes - usedBytes();
    }
  };

  g.require = function (name) {
    if (name === "Storage") return Storage;
    throw new Error('Module "' + name + '" not found');
  };

  var blocksize = +(o.blocksize || 13);
  g.process = {
    version: o.version || "2v24",
    env: { BOARD: o.board || "ESPRUINO" },
    memory: function () {
      // JsVars the program uses: what it added over the engine's baseline (built-ins live in flash).
      var h = rt.heap();
      var total = h.limit ? Math.floor((h.limit - h.baseline) / blocksize) : 2630;
      var usage = Math.ceil(Math.max(0, h.used - h.baseline) / blocksize);
      return { free: total - usage, usage: usage, total: total, history: 0, gc: 0, gctime: 0, blocksize: blocksize };
    }
  };

  g.analogRead = function (pin) {
    var v = o["adc." + String(pin)];
    if (v === undefined) throw new Error("Pin " + pin + " is not capable of ADC");
    return +v;
  };

  // Boards with Bluetooth LE have NRF; the bundle's advertising calls are kept in NRF.advertising and
  // NRF.scanResponse (checked as Espruino checks them: jswrap_bluetooth.c).
  if (names.indexOf("Bluetooth") >= 0) {
    g.NRF = {
      setAdvertising: function (data, options) {
        if (data !== undefined && (data === null || typeof data !== "object"))
          throw new TypeError("Expecting Object, Array or undefined, got " + typeof data);
        if (options !== undefined && (options === null || typeof options !== "object"))
          throw new TypeError("Expecting Object or undefined");
        this.advertising = [data, options];
      },
      setScanResponse: function (data) {
        if (data !== undefined && !(data && typeof data.length === "number"))
          throw new TypeError("Expecting array-like object or undefined");
        this.scanResponse = data === undefined ? undefined : bytesOf([data]);
      }
    };
  }

  // Globals the host engine has and Espruino does not: a bundle must not lean on them.
  var missing = ["TextEncoder", "TextDecoder", "Symbol", "Proxy", "Reflect", "WeakMap", "WeakSet", "performance", "queueMicrotask"];
  missing.forEach(function (name) {
    delete g[name];
  });
})(this);
