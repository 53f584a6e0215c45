// Shared by every personality (ES5: it also runs inside Duktape). Timers on the runner's clock, and a
// console whose lines the personality routes (Espruino's may go to the link, others to the log).
// The runner calls __rt_next() for the earliest deadline and __rt_timers() to run one due timer.
(function (g) {
  var rt = g.__rt;
  var maxTimers = +(rt.opts.maxTimers || 64);
  var timers = [];
  var nextId = 1;
  var order = 0; // equal deadlines run in the order they were set

  function add(fn, ms, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("timer callback must be a function");
    if (timers.length >= maxTimers) throw new RangeError("too many timers (" + maxTimers + ")");
    ms = +ms;
    if (!(ms >= 0)) ms = 0;
    var t = { id: nextId++, at: rt.now() + ms, every: repeat ? Math.max(ms, 1) : 0, fn: fn, args: args, order: order++ };
    timers.push(t);
    return t.id;
  }

  function clear(id) {
    for (var i = 0; i < timers.length; i++) {
      if (timers[i].id === id) {
        timers.splice(i, 1);
        return;
      }
    }
  }

  function earliest() {
    var best = null;
    for (var i = 0; i < timers.length; i++) {
      var t = timers[i];
      if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    return best;
  }

  g.setTimeout = function (fn, ms) {
    return add(fn, ms, Array.prototype.slice.call(arguments, 2), false);
  };
  g.setInterval = function (fn, ms) {
    return add(fn, ms, Array.prototype.slice.call(arguments, 2), true);
  };
  g.clearTimeout = clear;
  g.clearInterval = clear;

  g.__rt_next = function () {
    var t = earliest();
    return t ? t.at : -1;
  };

  g.__rt_timers = function () {
    var t = earliest();
    var now = rt.now();
    if (!t || t.at > now) return false;
    if (t.every) {
      t.at += t.every;
      if (t.at <= now) t.at = now + t.every; // a late interval skips what it missed
      t.order = order++;
    } else {
      clear(t.id);
    }
    t.fn.apply(g, t.args);
    return true;
  };

  function text(args) {
    var parts = [];
    for (var i = 0; i < args.length; i++) {
      var a = args[i];
      if (typeof a === "string") parts.push(a);
      else {
        try {
          parts.push(JSON.stringify(a));
        } catch (e) {
          parts.push(String(a));
        }
      }
    }
    return parts.join(" ");
  }

  // Personalities replace this to send console lines where their engine sends them.
  g.__rt_print = function (line) {
    rt.log(line);
  };
  function print() {
    g.__rt_print(text(arguments));
  }
  g.console = { log: print, info: print, warn: print, error: print, debug: print };
  g.print = print;
})(this);
