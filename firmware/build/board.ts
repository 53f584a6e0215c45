// boards/<id>.json as a typed Board: the one loader every build, test, engine and command uses.
// boards/board.schema.json says the same in JSON Schema (test/board-schema.test.ts keeps them equal).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./root";

export type EngineFamily = "espruino" | "jerryscript" | "duktape" | "node";
export type CodecName = "raw" | "compact" | "json" | "msgpack";
export type LinkKind = "uart" | "ble" | "can" | "wifi" | "udp" | "tcp" | "usb" | "stdio";

/** A serial-like port as the engine names it. */
export interface BoardPort {
  device: string | number;
  kind: "uart" | "usb-cdc" | "ble-uart" | "stdio" | "tcp";
  baud?: number;
  pins?: { tx: string | number; rx: string | number };
  /** Frames in MAVLink TUNNELs on this port, as this system/component (spec/mavlink.md). */
  mavlink?: { system: number; component: number };
  /** How a host writes to this port so the firmware keeps every byte (stock Espruino 2v26-2v29). */
  pacing?: { chunkBytes: number; gapMs: number };
  note?: string;
}

/** A USB identity of a board or its USB-serial bridge (boards/board.schema.json $defs.usbId). */
export interface UsbId {
  /** 4 lowercase hex digits. */
  vendorId: string;
  /** 4 lowercase hex digits; absent: any product of the vendor. */
  productId?: string;
  description: string;
}

export interface Board {
  $schema: "./board.schema.json";
  id: string;
  name: string;
  description?: string;
  engine: EngineFamily;
  firmware: { name: string; minVersion?: string; build?: string; docs: string };
  mcu: { part: string; core: string; clockMHz: number; sramBytes: number };
  ports: { console: BoardPort; link: BoardPort };
  links: LinkKind[];
  flash: {
    method: "espruino-repl" | "kaluma-ymodem" | "cell-loader" | "none";
    transport: "serial" | "ble" | "usb-serial" | "semihosting" | "none";
    command: string;
    persist: "storage-boot0" | "setBootCode" | "kaluma-program-flash" | "sim-loader" | "none";
    recover?: string;
    firmwareInstall?: { tool: string; command: string };
  };
  flashBytes: number;
  ramBytes: number;
  ramAccounting: { covers: "program" | "total"; jsVars?: { count: number; bytesEach: 12 | 13 | 14 | 16 }; source: string };
  budget: { maxBundleBytes: number; maxBundleGzipBytes?: number };
  maxFrameBytes: number;
  codecs: CodecName[];
  sensors: { temperature: "native" | "adc" | "simulated" | "none"; adcPins?: (string | number)[] };
  /** What `cell ports` matches serial ports against. */
  usb?: UsbId[];
  notes?: string[];
}

export const BOARDS_DIR = join(ROOT, "boards");

/** The ids of the boards in boards/, sorted. */
export function boardIds(): string[] {
  return readdirSync(BOARDS_DIR)
    .filter((f) => f.endsWith(".json") && f !== "board.schema.json")
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** A board id with no boards/<id>.json: the message lists the boards there are (a usage error for a command). */
export class UnknownBoardError extends Error {
  override name = "UnknownBoardError";
  constructor(
    readonly id: string,
    readonly boards: string[]
  ) {
    super(`unknown board ${JSON.stringify(id)} (boards: ${boards.join(", ")})`);
  }
}

/** boards/<id>.json, parsed; an unknown id throws UnknownBoardError. */
export function loadBoard(id: string): Board {
  const file = join(BOARDS_DIR, `${id}.json`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(String(id)) || !existsSync(file)) throw new UnknownBoardError(String(id), boardIds());
  return JSON.parse(readFileSync(file, "utf8")) as Board;
}
