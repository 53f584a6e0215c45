// The companion computer's program: serves Camera and Battery over MAVLink, as its own component (1/191,
// MAV_COMP_ID_ONBOARD_COMPUTER) next to the flight controller's traffic, and announces them there.
//
//   npx tsx examples/drone/companion.ts udpout:127.0.0.1:14550      (to a ground-station bridge)
//   npx tsx examples/drone/companion.ts serial:/dev/ttyAMA0:57600   (on the flight controller's TELEM2)
import { fileURLToPath } from "node:url";
import { serve } from "../../core/host";
import { announce } from "../../core/rpc/announce";
import { openMavlink, MavlinkTransport } from "../../transports/mavlink/index";
import { Camera, Battery } from "./schema";

export interface Companion {
  link: MavlinkTransport;
  /** The battery drains by this many percent (a simulation: a real one reads its power module). */
  drain(percent: number): void;
  close(): void;
}

export async function startCompanion(address: string, drainPerSecond = 0): Promise<Companion> {
  const link = await openMavlink(address, { system: 1, component: 191 });
  let shots = 0;
  let percent = 100;
  const volts = () => 13.2 + (16.8 - 13.2) * (percent / 100); // a 4S pack
  serve(Camera, { trigger: ({ id }) => ({ id, shots: ++shots }) }, link);
  const battery = serve(Battery, { read: () => ({ volts: volts(), percent }) }, link);
  const announcer = announce(link, { instanceId: 0xd20e, ttlMs: 3000, cells: [Camera, Battery] });
  const drain = (by: number) => {
    const before = percent;
    percent = Math.max(0, percent - by);
    if (before >= 20 && percent < 20) battery.emit("low", { volts: volts(), percent });
  };
  const timer = drainPerSecond > 0 ? setInterval(() => drain(drainPerSecond), 1000) : null;
  return {
    link,
    drain,
    close() {
      if (timer) clearInterval(timer);
      announcer.stop();
      link.close();
    }
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const address = process.argv[2] || "udpout:127.0.0.1:14550";
  const c = await startCompanion(address, 1);
  console.log(`companion 1/191 serving camera and battery on ${address}`);
  process.on("SIGINT", () => {
    c.close();
    process.exit(0);
  });
}
