// Issue-13 benchmarks, as ratios: a small call over MAVLink (UDP loopback) against the same call over
// plain UDP, run in alternating rounds (bytes on the wire per call, time per call); and the goodput of a
// stream of calls over a simulated 57600-baud serial link (8N1: 5760 B/s each way, every byte paced as
// a UART would send it) as a share of the 4,290 B/s TUNNEL payload ceiling named in the issue.
import { cell, method, t } from "../core/schema";
import { serve } from "../core/host/serve";
import { remote } from "../core/host/remote";
import type { Transport } from "../core/transport";
import type { BytePort } from "../core/byte-port";
import { openUdp } from "../transports/udp";
import { openMavlink } from "../transports/mavlink/index";

const Bench = cell("bench", { ping: method(t.u32, t.u32), push: method(t.bytes, t.u32) });
const CEILING = 4290;
const BAUD_BYTES = 5760;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function pair(kind: "udp" | "mavlink"): Promise<{ client: Transport; server: Transport; close(): void }> {
  if (kind === "udp") {
    const server = await openUdp({ listen: "127.0.0.1:0" });
    const client = await openUdp(`127.0.0.1:${server.local.port}`);
    return { client, server, close: () => (client.close(), server.close()) };
  }
  const server = await openMavlink("udp:127.0.0.1:0", { system: 1, component: 191, heartbeatMs: 0 });
  const port = (server as unknown as { carrier: { local: { port: number } } }).carrier.local.port;
  const client = await openMavlink(`udpout:127.0.0.1:${port}`, { system: 255, component: 190, heartbeatMs: 0 });
  return { client, server, close: () => (client.close(), server.close()) };
}

async function smallCall(): Promise<string[]> {
  const sides = { udp: await pair("udp"), mavlink: await pair("mavlink") };
  const pings = { udp: remote(Bench, sides.udp.client), mavlink: remote(Bench, sides.mavlink.client) };
  for (const s of Object.values(sides)) serve(Bench, { ping: (n) => n, push: (b) => b.length }, s.server);
  const time = async (k: "udp" | "mavlink", n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await pings[k].ping(i);
    return Number(process.hrtime.bigint() - t0) / n / 1000;
  };
  await time("udp", 200);
  await time("mavlink", 200);
  const bytes = (k: "udp" | "mavlink") => sides[k].client.stats.bytesOut + sides[k].server.stats.bytesOut;
  const calls = (k: "udp" | "mavlink") => sides[k].client.stats.framesOut;
  const u: number[] = [];
  const m: number[] = [];
  const r: number[] = [];
  for (let round = 0; round < 15; round++) {
    const a = await time("udp", 100);
    const b = await time("mavlink", 100);
    u.push(a);
    m.push(b);
    r.push(b / a);
  }
  const perCall = (k: "udp" | "mavlink") => bytes(k) / calls(k);
  for (const s of Object.values(sides)) s.close();
  return [
    `small call (ping u32, COMPACT) over MAVLink vs plain UDP, loopback, 15 alternating rounds of 100 calls:\n` +
      `  bytes on the wire per call (request + answer, UDP payloads): UDP ${perCall("udp").toFixed(0)} B, MAVLink ${perCall("mavlink").toFixed(0)} B (×${(perCall("mavlink") / perCall("udp")).toFixed(2)}: each ${(perCall("udp") / 2).toFixed(0)}-byte frame in one TUNNEL packet, 10 header + 5 TUNNEL fields + 4 fragment header + 2 CRC around it)\n` +
      `  time per call: UDP ${median(u).toFixed(1)} µs, MAVLink ${median(m).toFixed(1)} µs, ratio ×${median(r).toFixed(2)} (median of round ratios)`
  ];
}

/** Two byte ports joined as a full-duplex UART at `bytesPerSecond`: each direction sends one byte after another. */
function uart(bytesPerSecond: number): [BytePort, BytePort] {
  const end = () => {
    let busyUntil = 0;
    const self = {
      cb: (_b: Uint8Array) => {},
      other: null as unknown as { cb: (b: Uint8Array) => void },
      write(bytes: Uint8Array) {
        const copy = Uint8Array.from(bytes);
        const now = performance.now();
        busyUntil = Math.max(busyUntil, now) + (copy.length * 1000) / bytesPerSecond;
        const to = self.other;
        setTimeout(() => to.cb(copy), busyUntil - now);
      },
      onData(cb: (b: Uint8Array) => void) {
        self.cb = cb;
      }
    };
    return self;
  };
  const a = end();
  const b = end();
  a.other = b;
  b.other = a;
  return [a, b];
}

async function goodput(): Promise<string[]> {
  const [ground, air] = uart(BAUD_BYTES);
  const server = await openMavlink("uart", { port: air, system: 1, component: 191, heartbeatMs: 0 });
  const client = await openMavlink("uart", { port: ground, system: 255, component: 190, heartbeatMs: 0 });
  serve(Bench, { ping: (n) => n, push: (b) => b.length }, server);
  const bench = remote(Bench, client, { timeoutMs: 30000 });
  let frameBytes = 0; // the request frames as handed to the link
  const sendFrame = client.send.bind(client);
  client.send = (frame, to) => {
    frameBytes += frame.length;
    sendFrame(frame, to);
  };
  const payload = new Uint8Array(1000).map((_, i) => i);
  const calls = 24;
  const window = 3;
  const t0 = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent < calls) {
      sent++;
      await bench.push(payload);
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const wire = client.stats.bytesOut;
  const frameRate = frameBytes / seconds;
  const appRate = (payload.length * calls) / seconds;
  client.close();
  server.close();
  return [
    `goodput on a 57600-baud link (5760 B/s each way, simulated UART), ${calls} calls of 1000 bytes, ${window} in flight, ${seconds.toFixed(2)} s:\n` +
      `  Cell frame bytes ${frameRate.toFixed(0)} B/s = ${((100 * frameRate) / CEILING).toFixed(1)}% of the 4,290 B/s TUNNEL payload ceiling (goal ≥ 95%: ${frameRate >= 0.95 * CEILING ? "met" : "NOT met"})\n` +
      `  application bytes ${appRate.toFixed(0)} B/s = ${((100 * appRate) / CEILING).toFixed(1)}% of it; line use ${((100 * wire) / seconds / BAUD_BYTES).toFixed(1)}% of 5760 B/s (${(wire / calls).toFixed(0)} B on the wire per ${(frameBytes / calls).toFixed(0)}-byte request frame)`
  ];
}

export async function runMavlink(): Promise<string[]> {
  return [...(await smallCall()), ...(await goodput())];
}
