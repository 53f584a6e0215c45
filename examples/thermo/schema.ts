// The thermo cell's schema, apart from its device code so hosts can import it (remote(Thermo, link)).
import { cell, method, event, t } from "../../core/schema";

export var Unit = t.enum(["C", "F"]);

export var Thermo = cell("thermo", {
  /** The current reading in the unit asked for. */
  read: method(Unit, t.struct({ unit: Unit, value: t.f32 }), { idempotent: true }),
  /** Sets the alarm threshold (°C); answers the previous one. */
  setThreshold: method(t.f32, t.f32),
  /** Fires when the reading rises above the threshold (once per crossing). */
  alarm: event(t.struct({ value: t.f32, threshold: t.f32 }))
});
