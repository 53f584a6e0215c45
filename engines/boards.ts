// How a board file turns into engine options: which personality, which devices it has, where its link
// is, and the heap cap from its RAM budget (whole heap or program only, per ramAccounting.covers).
import type { Board } from "../firmware/build/board";
import type { EngineName, EngineOptions, Personality } from "./types";

/** The serial devices each Espruino board's firmware has (the rest are ReferenceErrors there). */
const ESPRUINO_DEVICES: Record<string, string> = {
  esp32: "Serial1,Serial2,Serial3,Bluetooth,LoopbackA,LoopbackB",
  puckjs: "Serial1,Bluetooth,LoopbackA,LoopbackB",
  "espruino-pico": "Serial1,Serial2,Serial3,Serial4,USB,LoopbackA,LoopbackB"
};

export function personalityOf(board: Board): Personality {
  // Our QEMU firmware offers the `sim` object whichever engine it embeds (firmware/build/entry.ts halOf).
  if (board.firmware && board.firmware.name === "cell-sim") return "sim";
  if (board.engine === "espruino") return "espruino";
  if (board.engine === "jerryscript") return "kaluma";
  if (board.engine === "duktape") return "sim";
  throw new Error(`board ${board.id} runs on ${board.engine}, not in a device engine`);
}

/**
 * Engine options to run `bundle` as `board` would: its personality, link and console, and (unless
 * `capped` is false) its heap budget. `readings` feeds analog pins and the native sensor (°C).
 */
export function boardEngineOptions(
  board: Board,
  engine: EngineName,
  bundle: string,
  readings?: { adc?: number; temperature?: number },
  capped = true
): EngineOptions {
  const personality = personalityOf(board);
  const opts: Record<string, string> = {};
  if (personality === "espruino") {
    opts.link = String(board.ports.link.device);
    opts.console = String(board.ports.console.device);
    opts.devices = ESPRUINO_DEVICES[board.id] || "Serial1,LoopbackA,LoopbackB";
    opts.blocksize = String(board.ramAccounting.jsVars ? board.ramAccounting.jsVars.bytesEach : 13);
    opts.board = board.id.toUpperCase();
  } else if (personality === "kaluma") {
    opts.link = String(board.ports.link.device);
  }
  if (readings && readings.temperature !== undefined) opts.temperature = String(readings.temperature);
  if (readings && readings.adc !== undefined) for (const pin of board.sensors.adcPins || []) opts[`adc.${pin}`] = String(readings.adc);
  const cap = !capped ? {} : board.ramAccounting.covers === "total" ? { heapLimit: board.ramBytes } : { heapBudget: board.ramBytes };
  return { engine, personality, bundle, opts, maxFrame: board.maxFrameBytes, ...cap };
}
