// Issue-16 figures: how many CAN frames a small call takes, and what share of a 500 kbit/s and a
// 1 Mbit/s bus a stream of such calls uses. Counted on a real exchange (two CAN links over the in-memory
// bus, the RPC engine on both ends), bits per frame computed exactly with stuffing (bench/can-bits.ts).
// Not a timing: bus load follows from the bits.
import { cell, method, t } from "../core/schema";
import { serve } from "../core/host/serve";
import { remote } from "../core/host/remote";
import { CodecId } from "../core/header";
import { canLink, CanLink } from "../transports/can/can-link";
import { memoryCanBus, toward } from "../transports/testing/can-bus";
import type { IdFormat } from "../transports/can/ids";
import { classicFrameBits } from "./can-bits";

const Unit = t.enum(["C", "F"]);
const Thermo = cell("thermo", {
  read: method(t.struct({ unit: Unit }), t.struct({ value: t.f32, unit: Unit })),
  ping: method(t.u32, t.u32)
});

interface Figure {
  frames: number;
  bits: number;
  unstuffed: number;
  worst: number;
}

async function perCall(call: "read" | "ping", codec: number, ids: IdFormat, fd: boolean, calls = 100): Promise<Figure> {
  const bus = memoryCanBus();
  const a: CanLink = canLink(bus.adapter("client", { fd }), { node: 1, ids, fd });
  const b: CanLink = canLink(bus.adapter("device", { fd }), { node: 2, ids, fd });
  serve(Thermo, { read: ({ unit }) => ({ value: 21.5, unit }), ping: (n) => n }, b);
  const thermo = remote(Thermo, toward(a, a.peer(2)), { codec });
  await (call === "read" ? thermo.read({ unit: "C" }) : thermo.ping(1)); // warm: the log below is steady state
  bus.log.length = 0;
  for (let i = 0; i < calls; i++) await (call === "read" ? thermo.read({ unit: "C" }) : thermo.ping(i));
  const sum: Figure = { frames: 0, bits: 0, unstuffed: 0, worst: 0 };
  for (const { frame } of bus.log) {
    sum.frames++;
    if (fd) continue;
    const f = classicFrameBits(frame);
    sum.bits += f.bits;
    sum.unstuffed += f.unstuffed;
    sum.worst += f.worst;
  }
  a.close();
  b.close();
  return { frames: sum.frames / calls, bits: sum.bits / calls, unstuffed: sum.unstuffed / calls, worst: sum.worst / calls };
}

const pct = (x: number) => (x * 100).toFixed(2) + " %";

export async function runCan(): Promise<string[]> {
  const lines: string[] = [];
  lines.push("frames per call (request + response + flow control), 20-byte header included:");
  const rows: [string, Figure, Figure | null][] = [];
  for (const [name, call, codec] of [
    ["thermo.read COMPACT", "read", CodecId.Compact],
    ["thermo.read MSGPACK", "read", CodecId.Msgpack],
    ["ping(u32) COMPACT", "ping", CodecId.Compact]
  ] as const) {
    const classic = await perCall(call, codec, "11-bit", false);
    const ext = await perCall(call, codec, "29-bit", false);
    const fd = await perCall(call, codec, "11-bit", true);
    lines.push(`  ${name}: classic CAN ${classic.frames} frames (11-bit ids), ${ext.frames} (29-bit); CAN FD ${fd.frames}`);
    rows.push([name, classic, ext]);
  }
  lines.push("bus share of a stream of calls (classic CAN, bits per frame with exact stuffing; worst-case stuffing in brackets):");
  for (const [name, c, e] of rows) {
    for (const [ids, f] of [
      ["11-bit", c],
      ["29-bit", e!]
    ] as const) {
      const at = (rate: number, bitrate: number) => `${pct((rate * f.bits) / bitrate)} [${pct((rate * f.worst) / bitrate)}]`;
      lines.push(
        `  ${name}, ${ids}: ${f.bits.toFixed(0)} bits per call (${f.unstuffed.toFixed(0)} unstuffed, worst ${f.worst.toFixed(0)}); ` +
          `100 calls/s use ${at(100, 500000)} of 500 kbit/s, ${at(100, 1000000)} of 1 Mbit/s; ` +
          `the bus is full at ${Math.floor(500000 / f.bits)} calls/s (500k), ${Math.floor(1000000 / f.bits)} calls/s (1M)`
      );
    }
  }
  return lines;
}
