// Device side of bench/sim.ts's profile by phase: the pieces of one COMPACT echo call, each looped
// `count` times on the board's clock (under -icount shift=0, board time is guest instructions), so the
// whole call's instructions split into the copy of the frame, the COMPACT decode and encode of the
// text, the firmware's send (header check, CRC-32, COBS, UART), and the rest (header parse, dispatch,
// handler, context, header write) as the whole call minus those. The receive side's fixed part (a
// CANCEL through the frame link, header parse and lookups) and the echo handler alone are measured too.
import { now } from "cell:hal";
import type { DeviceCell } from "../firmware/runtime";
import { compactCodec } from "../core/lite/compact";
import { seek } from "../core/lite/bytes";
import { Phases } from "./phases-schema";
import { echoCell } from "../examples/echo/echo";
import type { Type } from "../core/schema";

/** echo's request and answer type, t.string, as a descriptor (kind 9): the build compiles the schema's own away. */
var STRING = { k: 9 } as Type;

export var phasesCell: DeviceCell<typeof Phases.members> = {
  def: Phases,
  handlers: {
    run: function (req) {
      var n = req.count,
        out = new Uint8Array(1024),
        payload = req.frame.subarray(20),
        times: number[] = [],
        t: number,
        i: number;
      t = now();
      for (i = 0; i < n; i++) new Uint8Array(req.frame);
      times.push(now() - t);
      t = now();
      for (i = 0; i < n; i++) compactCodec.decode(STRING, payload);
      times.push(now() - t);
      t = now();
      for (i = 0; i < n; i++) {
        seek(20, out);
        compactCodec.encode(STRING, req.text);
      }
      times.push(now() - t);
      t = now();
      for (i = 0; i < n; i++) sim.sendFrame(req.answer);
      times.push(now() - t);
      // The receive side's fixed part: the same frame as a CANCEL of a request not in flight goes through
      // the frame link, the header parse and the lookups, and is dropped there.
      var cancel = new Uint8Array(req.frame),
        deliver = sim.onFrame!;
      cancel[2] = 4;
      t = now();
      for (i = 0; i < n; i++) deliver.call(sim, new Uint8Array(cancel));
      times.push(now() - t);
      t = now();
      for (i = 0; i < n; i++) (echoCell.handlers as any).echo(req.text);
      times.push(now() - t);
      return times;
    }
  }
};
