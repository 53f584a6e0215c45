// The drone's companion-computer cells: a camera the ground station triggers, and the battery it reads
// (with an event when the battery runs low). Apart from their code, so a ground-station script imports them.
import { cell, method, event, t } from "../../core/schema";

export var Camera = cell("camera", {
  /** Takes a picture tagged `id`; answers the number of pictures taken so far. */
  trigger: method(t.struct({ id: t.u16 }), t.struct({ id: t.u16, shots: t.u32 }))
});

export var Battery = cell("battery", {
  read: method(t.struct({}), t.struct({ volts: t.f32, percent: t.u8 }), { idempotent: true }),
  /** Fires once when the charge falls below 20%. */
  low: event(t.struct({ volts: t.f32, percent: t.u8 }))
});
