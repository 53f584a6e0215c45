// A ground-station script: calls the companion computer's cells through the bridge that holds the MAVLink
// link (`cell bridge --mavlink udp:0.0.0.0:14550 --udp 127.0.0.1:7420`), fully typed.
//
//   npx tsx examples/drone/ground.ts [bridge host:port]
import { fileURLToPath } from "node:url";
import { remote } from "../../core/host";
import type { Transport } from "../../core/transport";
import { udp } from "../../transports/index";
import { Camera, Battery } from "./schema";

export async function groundStation(link: Transport, log: (line: string) => void): Promise<void> {
  const camera = remote(Camera, link);
  const battery = remote(Battery, link);
  await battery.on("low", (b) => log(`LOW BATTERY: ${b.percent}% (${b.volts.toFixed(2)} V)`));
  const b = await battery.read({});
  log(`battery ${b.percent}% (${b.volts.toFixed(2)} V)`);
  const shot = await camera.trigger({ id: 1 });
  log(`camera: picture ${shot.id} taken, ${shot.shots} so far`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const link = await udp(process.argv[2] || "127.0.0.1:7420");
  await groundStation(link, console.log);
  console.log("listening for low-battery events (Ctrl-C to stop)");
}
