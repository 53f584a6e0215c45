// A sensor cell. Readings come from the board's own temperature sensor where it has one (Puck.js,
// Espruino Pico, the QEMU sim's simulated sensor, a simulation on the host), or from a TMP36-style
// analog sensor on the board's first ADC pin (ESP32, Raspberry Pi Pico). An alarm event fires when the
// reading crosses the threshold upwards.
import { temperature, analog, interval } from "cell:hal";
import { temperatureSource, adcPins } from "cell:board";
import type { DeviceCell, DeviceServer } from "../../firmware/runtime";
import { Thermo } from "./schema";

export { Thermo };

var threshold = 30;
var above = false;

/** °C, or NaN when the board has no sensor. */
function reading(): number {
  // TMP36: 500 mV at 0 °C, 10 mV per °C; the ADC reads 0..1 of 3.3 V.
  return temperatureSource === "adc" ? (analog(adcPins[0]) * 3.3 - 0.5) * 100 : temperature();
}

export var thermoCell: DeviceCell<typeof Thermo.members> = {
  def: Thermo,
  handlers: {
    read: function (unit) {
      var c = reading();
      // A plain Error is answered HandlerFailed with its message, on a device and on a host alike.
      if (c !== c) throw new Error("no temperature sensor");
      return { unit: unit, value: unit === "F" ? c * 1.8 + 32 : c };
    },
    setThreshold: function (celsiusLimit) {
      var previous = threshold;
      threshold = celsiusLimit;
      above = false;
      return previous;
    }
  },
  start: function (server: DeviceServer<typeof Thermo.members>) {
    interval(function () {
      var c = reading();
      if (c !== c) return;
      if (c > threshold && !above) server.emit("alarm", { value: c, threshold: threshold });
      above = c > threshold;
    }, 1000);
  }
};

export default [thermoCell];
