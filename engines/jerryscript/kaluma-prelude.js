// The JS half of jerry-kaluma, run before the bundle as Kaluma runs its startup module: require() of
// built-in modules (modules/startup/startup.js), the events module (modules/events/events.js), the
// uart module's JS class over the native one (modules/uart/uart.js), the storage module's JS half
// with its sweep on "Storage full" (modules/storage/storage.js), the global `storage` getter,
// SystemError (global.c) and the Pico's `board` basics. Natives come from kaluma-runner.c (__natives).
(function (global) {
  var natives = global.__natives;
  delete global.__natives;

  // global.c register_global_system_error: SystemError(errno) extends Error, message from err.c.
  var MESSAGES = {
    140: "Invalid pin number",
    141: "No such pheriperal",
    142: "Storage full",
    143: "Key not found",
    144: "Data too long",
    145: "Device Init/Deinit Error",
    146: "Device Read Error",
    147: "Device Write Error"
  };
  function SystemError(errno) {
    if (typeof errno !== "number") throw new TypeError('"errno" argument must be a number');
    if (errno > 0) errno = -errno;
    this.errno = errno;
    this.message = MESSAGES[-errno] || "Unknown error";
  }
  SystemError.prototype = Object.create(Error.prototype);
  SystemError.prototype.constructor = SystemError;
  global.SystemError = SystemError;

  function EventEmitter() {
    this._events = {};
  }
  EventEmitter.prototype.emit = function (type) {
    if (!this._events) this._events = {};
    if (type === "error" && !this._events.error) {
      var err = arguments[1];
      if (err instanceof Error) throw err;
      throw Error("Uncaught 'error' event");
    }
    var listeners = this._events[type];
    if (Array.isArray(listeners)) {
      listeners = listeners.slice();
      var args = Array.prototype.slice.call(arguments, 1);
      for (var i = 0; i < listeners.length; ++i) listeners[i].apply(this, args);
      return true;
    }
    return false;
  };
  EventEmitter.prototype.addListener = function (type, listener) {
    if (typeof listener !== "function") throw new TypeError("listener must be a function");
    if (!this._events) this._events = {};
    if (!this._events[type]) this._events[type] = [];
    this._events[type].push(listener);
    return this;
  };
  EventEmitter.prototype.removeListener = function (type, listener) {
    if (typeof listener !== "function") throw new TypeError("listener must be a function");
    var list = this._events[type];
    if (Array.isArray(list)) {
      for (var i = list.length - 1; i >= 0; --i) {
        if (list[i] == listener || (list[i].listener && list[i].listener == listener)) {
          list.splice(i, 1);
          if (!list.length) delete this._events[type];
          break;
        }
      }
    }
    return this;
  };
  EventEmitter.prototype.removeAllListeners = function (type) {
    if (arguments.length === 0) this._events = {};
    else delete this._events[type];
    return this;
  };
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;
  EventEmitter.prototype.once = function (type, listener) {
    if (typeof listener !== "function") throw new TypeError("listener must be a function");
    var f = function () {
      this.removeListener(f.type, f);
      f.listener.apply(this, arguments);
    };
    f.type = type;
    f.listener = listener;
    this.on(type, f);
    return this;
  };

  var uartNative = natives.uart;
  function UART(port, options) {
    EventEmitter.call(this);
    var self = this;
    options = options || {};
    this._native = new uartNative.UART(port, options, function (data) {
      self.emit("data", data);
    });
  }
  UART.prototype = new EventEmitter();
  UART.prototype.constructor = UART;
  UART.prototype.write = function (data) {
    this._native.write(data);
  };
  UART.prototype.close = function () {
    this._native.close();
  };
  UART.PARITY_NONE = uartNative.PARITY_NONE;
  UART.PARITY_ODD = uartNative.PARITY_ODD;
  UART.PARITY_EVEN = uartNative.PARITY_EVEN;
  UART.FLOW_NONE = uartNative.FLOW_NONE;
  UART.FLOW_RTS = uartNative.FLOW_RTS;
  UART.FLOW_CTS = uartNative.FLOW_CTS;
  UART.FLOW_RTS_CTS = uartNative.FLOW_RTS_CTS;

  var storageNative = natives.storage;
  function sweep() {
    var cache = {};
    var len = storageNative.length();
    for (var i = 0; i < len; i++) {
      var k1 = storageNative.key(i);
      cache[k1] = storageNative.getItem(k1);
    }
    storageNative.clear();
    var keys = Object.keys(cache);
    for (var j = 0; j < keys.length; j++) storageNative.setItem(keys[j], cache[keys[j]]);
  }
  var storage = {
    setItem: function (key, value) {
      try {
        storageNative.setItem(key, value);
      } catch (err) {
        if (err.errno === -142) {
          sweep();
          storageNative.setItem(key, value);
        } else throw err;
      }
    },
    getItem: function (key) {
      return storageNative.getItem(key);
    },
    removeItem: function (key) {
      return storageNative.removeItem(key);
    },
    clear: function () {
      return storageNative.clear();
    },
    key: function (index) {
      return storageNative.key(index);
    }
  };
  Object.defineProperty(storage, "length", { get: storageNative.length });

  var builtins = { events: { EventEmitter: EventEmitter }, uart: { UART: UART }, storage: storage };
  var cache = {};
  global.require = function (id) {
    if (cache[id]) return cache[id];
    if (Object.prototype.hasOwnProperty.call(builtins, id)) return (cache[id] = builtins[id]);
    throw new Error("Failed to load module: " + id);
  };
  Object.defineProperty(global, "storage", {
    get: function () {
      return global.require("storage");
    }
  });
  global.board = { name: "pico", LED: 25 };
})(this);
