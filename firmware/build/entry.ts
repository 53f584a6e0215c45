// The per-board parts of a device build: board files, the adapter and codecs a board uses, and the
// generated entry module and `cell:board` constants (see bundle.ts for the whole build).
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Board, BoardPort, CodecName, EngineFamily } from "./board";
import { ROOT } from "./root";
import { advertiseSource, BeaconCell } from "./beacon";

export const ADAPTERS: Record<EngineFamily, string> = {
  espruino: "firmware/adapters/espruino.ts",
  jerryscript: "firmware/adapters/kaluma.ts",
  duktape: "firmware/adapters/duktape-sim.ts",
  node: "firmware/adapters/node.ts"
};

/** Each codec's module and the name it exports. */
export const CODECS: Record<CodecName, [file: string, name: string]> = {
  compact: ["core/lite/compact.ts", "compactCodec"],
  json: ["core/codecs/json.ts", "jsonCodec"],
  msgpack: ["core/codecs/msgpack.ts", "msgpackCodec"],
  raw: ["core/codecs/raw.ts", "rawCodec"]
};

/**
 * The adapter family a board's bundle is built for: its engine, except on our own QEMU firmware
 * (firmware.name "cell-sim"), which offers the native `sim` object whichever engine it embeds
 * (qemu-mps2-an385: Duktape; qemu-mps2-an385-jerryscript: JerryScript), so it takes the sim adapter.
 */
export function halOf(board: Board): EngineFamily {
  return board.firmware && board.firmware.name === "cell-sim" ? "duktape" : board.engine;
}

/** Boards that serve their cells over the Nordic UART Service advertise them (spec/ble.md §2; Espruino: NRF.setAdvertising). */
export function advertises(board: Board): boolean {
  return halOf(board) === "espruino" && board.ports.link.kind === "ble-uart";
}

/** A cell module path from a file or a directory (dir/<dir name>.ts, else dir/index.ts). */
export function resolveEntry(path: string): string {
  const p = resolve(path);
  if (existsSync(p) && statSync(p).isDirectory()) {
    for (const f of [join(p, `${basename(p)}.ts`), join(p, "index.ts")]) if (existsSync(f)) return f;
    throw new Error(`${path}: a directory without ${basename(p)}.ts or index.ts`);
  }
  if (!existsSync(p)) throw new Error(`${path}: no such file`);
  return p;
}

function ident(name: string | number): string {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(String(name))) throw new Error(`not an engine global name: ${JSON.stringify(name)}`);
  return String(name);
}

/** The adapter's openLink() argument, as source: Espruino devices and pins are globals (Serial2, D17). */
export function linkConfigSource(board: Board): string {
  const link = board.ports.link;
  switch (halOf(board)) {
    case "espruino": {
      const parts = [`port: ${ident(link.device)}`];
      if (link.baud) parts.push(`baud: ${link.baud}`);
      if (link.pins) parts.push(`pins: { tx: ${ident(link.pins.tx)}, rx: ${ident(link.pins.rx)} }`);
      // The console would eat the link's input: move it when they share a device (BLE: on connect).
      if (link.device === board.ports.console.device || link.kind === "ble-uart") parts.push("takeConsole: true");
      return `{ ${parts.join(", ")} }`;
    }
    case "jerryscript":
      return JSON.stringify({ port: link.device, baud: link.baud, pins: link.pins });
    case "duktape":
      return JSON.stringify({ maxFrame: board.maxFrameBytes });
    case "node":
      return "undefined";
    default:
      throw new Error(`board ${board.id}: unknown engine ${(board as { engine: string }).engine}`);
  }
}

/**
 * The serial port of a stream-framed board, as source. Espruino and Kaluma adapters take the link config
 * as arguments too (linkPort), so constants reach the minifier and the unused branches fold away.
 */
function portSource(board: Board): string {
  const link = board.ports.link;
  if (board.engine === "espruino") {
    const takeConsole = link.device === board.ports.console.device || link.kind === "ble-uart";
    const pins = link.pins ? `{ tx: ${ident(link.pins.tx)}, rx: ${ident(link.pins.rx)} }` : "undefined";
    return `linkPort(${ident(link.device)}, ${takeConsole}, ${link.baud ? Number(link.baud) : "undefined"}, ${pins})`;
  }
  if (board.engine === "jerryscript") return `linkPort(${JSON.stringify(link.device)}, ${JSON.stringify(kalumaUartOptions(link))})`;
  return `serialOf(openLink(${linkConfigSource(board)}).bytes)`;
}

/**
 * firmware/adapters/kaluma.ts uartOptions for a board's link, at build time: the baud rate, and pins
 * only where they are not UART0's defaults (GP0/GP1); Kaluma's default 2048-byte buffer is kept.
 */
export function kalumaUartOptions(link: Pick<BoardPort, "device" | "baud" | "pins">): { [option: string]: number } {
  const options: { [option: string]: number } = { baudrate: Number(link.baud) };
  if (link.pins && !(link.device === 0 && link.pins.tx === 0 && link.pins.rx === 1)) Object.assign(options, { tx: link.pins.tx as number, rx: link.pins.rx as number });
  return options;
}

/** The "cell:board" module. */
export function boardModuleSource(board: Board): string {
  const s = board.sensors || {};
  return [
    `export var id = ${JSON.stringify(board.id)};`,
    `export var engine = ${JSON.stringify(board.engine)};`,
    `export var temperatureSource = ${JSON.stringify(s.temperature || "none")};`,
    `export var adcPins = ${JSON.stringify(s.adcPins || [])};`,
    `export var maxFrame = ${Number(board.maxFrameBytes)};`
  ].join("\n");
}

/** The selected codecs, COMPACT first when present: a device sends its events in the first. */
export function codecList(board: Board, codecs?: string[]): CodecName[] {
  const list = (codecs && codecs.length ? codecs : board.codecs) as CodecName[];
  for (const c of list) if (!Object.prototype.hasOwnProperty.call(CODECS, c)) throw new Error(`unknown codec ${c} (one of ${Object.keys(CODECS).join(", ")})`);
  return list.includes("compact") ? ["compact", ...list.filter((c) => c !== "compact")] : list;
}

const lib = (file: string) => JSON.stringify(join(ROOT, file));

/**
 * The generated entry: open the link and frame it for the board (the lite stream link over a byte port;
 * the sim firmware frames in C and hands over whole frames), serve the cells with the selected codecs.
 * Core's codecs encode into a Writer, so they are wrapped to write into the frame being built.
 * Espruino's E.CRC32 is the standard CRC-32 (test/lite-build.test.ts checks the Espruino personality's),
 * so those bundles carry no CRC code; the other byte links the bitwise one.
 */
export function entrySource(board: Board, entry: string, codecs?: string[], fns?: boolean, cells?: BeaconCell[]): string {
  const list = codecList(board, codecs);
  const maxFrame = Number(board.maxFrameBytes);
  const hal = halOf(board);
  const port = ["espruino", "jerryscript"].includes(hal) ? "linkPort" : "openLink";
  const lines = [`import { start } from ${lib("firmware/runtime.ts")};`, `import { ${port} } from "cell:hal";`, `import cells from ${JSON.stringify(entry)};`];
  // COMPACT-only builds whose member tables hold per-type functions (schemas.ts) call them directly.
  if (!fns) for (const c of list) lines.push(`import { ${CODECS[c][1]} } from ${lib(CODECS[c][0])};`);
  if (list.some((c) => c !== "compact")) lines.push(`import { liteCodec } from ${lib("core/lite/writer-full.ts")};`);
  let link = `openLink(${linkConfigSource(board)}).frames`;
  if (hal !== "duktape") {
    lines.push(`import { streamLink${["espruino", "jerryscript"].includes(hal) ? "" : ", serialOf"} } from ${lib("core/lite/stream.ts")};`);
    if (board.engine !== "espruino") lines.push(`import { crc32 } from ${lib("core/lite/crc.ts")};`);
    const crc = board.engine === "espruino" ? "function (b) { return E.CRC32(b); }" : "crc32";
    link = `streamLink(${portSource(board)}, ${maxFrame}, ${crc})`;
  }
  const mav = board.ports.link.mavlink;
  if (mav && ["espruino", "jerryscript"].includes(board.engine)) {
    // A board wired to a flight controller's TELEM port: frames in MAVLink TUNNELs (spec/mavlink.md),
    // and a HEARTBEAT a second as its own component.
    lines.push(`import { mavlinkLink } from ${lib("core/lite/mavlink.ts")};`, `import { interval } from "cell:hal";`);
    lines.push(`var mav = mavlinkLink(${portSource(board)}, ${maxFrame}, ${Number(mav.system) & 255}, ${Number(mav.component) & 255});`);
    lines.push(`mav.heartbeat();`, `interval(function () { mav.heartbeat(); }, 1000);`);
    link = "mav";
  }
  const codecArgs = fns ? "" : list.map((c) => (c === "compact" ? CODECS[c][1] : `liteCodec(${CODECS[c][1]})`)).join(", ");
  if (cells && advertises(board)) {
    // The beacon's instance id is the low 16 bits of the one the device announces: picked here, passed on.
    // runtime.ts's start() is serve() with the link taken out of the options: called directly, the
    // minifier need not keep start() around the options object.
    lines.push(`import { advertise } from "cell:hal";`, `import { serve } from ${lib("core/lite/serve.ts")};`);
    lines.push(`var instance = (Math.random() * 1e10) >>> 0;`, advertiseSource(cells, "instance"));
    lines.push(`serve(cells, ${link}, { codecs: [${codecArgs}], instanceId: instance });`);
  } else lines.push(`start(cells, { link: ${link}, codecs: [${codecArgs}] });`);
  return lines.join("\n");
}

// ---- Schema modules compiled at build time ----
