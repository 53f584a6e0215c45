// Device side of bench/sim.ts: the thermo example plus a cell that replays one request frame through
// the board's frame path (sim.onFrame → endpoint → codec → handler → codec → sim.sendFrame in C), in a
// tight loop, so that under `-icount shift=0` the board time it reports is instructions (1 per ns).
import { timeout, now } from "cell:hal";
import type { DeviceCell } from "../firmware/runtime";
import { thermoCell } from "../examples/thermo/thermo";
import { Replay } from "./sim-replay-schema";

export var replayCell: DeviceCell<typeof Replay.members> = {
  def: Replay,
  handlers: {
    run: function (req, ctx) {
      var done = ctx.defer();
      // From a timer, not from inside the endpoint's dispatch of this request: each replayed frame
      // enters the endpoint afresh, as a frame from the UART does.
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
