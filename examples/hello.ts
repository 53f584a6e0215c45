// `npm start`: define a cell, serve it over a link, call it with full types, print what happens.
import { cell, method, event, t, serve, remote, loopbackPair, streamLink, bytePipe, CellError } from "../core/host";
import type { Transport } from "../core/host";

// 1. A cell: one method and one event. Every type below is inferred from these lines.
const Unit = t.enum(["C", "F"]);
const Thermo = cell("thermo", {
  read: method(t.struct({ unit: Unit }), t.struct({ value: t.f32, unit: Unit }), { idempotent: true }),
  alarm: event(t.struct({ value: t.f32 }))
});

async function demo(title: string, deviceEnd: Transport, hostEnd: Transport, wire?: string[]): Promise<void> {
  console.log(`\n== ${title}`);
  let celsius = 21.5;

  // 2. The "device" side serves it. A handler returns the answer (or a Promise of it).
  const server = serve(Thermo, { read: ({ unit }) => ({ value: unit === "C" ? celsius : celsius * 1.8 + 32, unit }) }, deviceEnd);

  // 3. Anyone with a link calls it: remote() has one typed, Promise-returning method per cell method.
  const thermo = remote(Thermo, hostEnd);
  const reading = await thermo.read({ unit: "C" }); // { value: number; unit: "C" | "F" }
  console.log(`read({ unit: "C" })  -> ${reading.value} °${reading.unit}`);
  const f = await thermo.read({ unit: "F" });
  console.log(`read({ unit: "F" })  -> ${f.value.toFixed(1)} °${f.unit}`);

  // 4. Events go only to subscribers: on() subscribes, and resolves once the device confirmed it.
  let heard: (value: number) => void = () => {};
  const alarm = new Promise<number>((resolve) => (heard = resolve));
  await thermo.on("alarm", (a) => heard(a.value));
  celsius = 48.25;
  const sentTo = server.emit("alarm", { value: celsius });
  console.log(`alarm event          -> ${await alarm} °C (sent to ${sentTo} subscriber)`);

  // 5. A mistake is a compile error; a bad value that gets past the types anyway (here by a cast) is
  //    refused with a clear error before it is sent, never a wrong answer.
  try {
    await thermo.read({ unit: "K" as "C" });
  } catch (e) {
    console.log(`read({ unit: "K" })  -> ${(e as CellError).codeName}: ${(e as CellError).message}`);
  }
  console.log(`describe()           -> ${await thermo.describe()}`);
  if (wire) console.log(`first frame on the wire (COBS ‖ CRC-32 ‖ 00): ${wire[0]}`);
  deviceEnd.close();
}

async function main(): Promise<void> {
  console.log("Cell: a typed service (a cell) served over a link and called with full types.");

  const [device, host] = loopbackPair();
  await demo("in-memory loopback link", device, host);

  // The same cell over a byte stream with UART framing: every frame is COBS-encoded with a CRC-32.
  const [devicePort, hostPort] = bytePipe();
  const wire: string[] = [];
  const write = hostPort.write.bind(hostPort);
  hostPort.write = (bytes) => {
    wire.push(Buffer.from(bytes).toString("hex"));
    write(bytes);
  };
  await demo("byte stream with COBS + CRC-32 framing (what a UART carries)", streamLink(devicePort), streamLink(hostPort), wire);
  console.log("\nok");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
