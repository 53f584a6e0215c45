// Device side of bench/engines.ts and bench/sim.ts, built for the qemu-mps2-an385 board (all four codecs,
// the sim firmware's frame-level `sim` object, which QEMU and both engine harnesses provide): the thermo
// example plus a cell that replays one request frame through the bundle's frame path (sim.onFrame → endpoint → codec
// → handler → codec → sim.sendFrame) in a tight loop and answers how long that took on the engine's clock.
import { timeout, now } from "cell:hal";
import type { DeviceCell } from "../firmware/runtime";
import { thermoCell } from "../examples/thermo/thermo";
import { Replay } from "./replay-schema";

export var replayCell: DeviceCell<typeof Replay.members> = {
  def: Replay,
  handlers: {
    run: function (req, ctx) {
      var done = ctx.defer();
      // From a timer, not from inside the endpoint's dispatch of this request: each replayed frame
      // enters the endpoint afresh, as a frame from the link does.
      timeout(function () {
        var deliver = sim.onFrame!;
        var start = now();
        // A copy per frame, as the firmware hands each frame over in a fresh buffer.
        for (var i = 0; i < req.count; i++) deliver.call(sim, new Uint8Array(req.frame));
        done(null, { ms: now() - start });
      }, 0);
    }
  }
};

export default [thermoCell, replayCell];
