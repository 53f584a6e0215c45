// examples/drone as the README walks through it: a bridge with a MAVLink side, the companion computer's
// cells announced over MAVLink, `cell ls` listing them with their system/component, the ground-station
// script's typed calls, and the low-battery event crossing MAVLink and the bridge.
import { describe, it, expect, vi } from "vitest";
import { createBridge } from "../host-bridge/bridge";
import { openSides } from "../cli/bridge/open-sides";
import { openUdp } from "../transports/udp";
import type { MavlinkTransport } from "../transports/mavlink/index";
import { command as ls } from "../cli/commands/ls";
import { command as call } from "../cli/commands/call";
import { startCompanion } from "../examples/drone/companion";
import { groundStation } from "../examples/drone/ground";
import { until } from "./bridge-fixtures";

describe("examples/drone", () => {
  it("a ground station calls the companion computer's cells over MAVLink/UDP through the bridge", async () => {
    const bridge = createBridge();
    let mav: MavlinkTransport | null = null;
    await openSides(
      { serial: [], udp: [], quic: [], nats: [], multicast: [], mavlink: ["udp:127.0.0.1:0"], mavlinkSystem: 255, mavlinkComponent: 190 },
      (side) => {
        mav = side.link as MavlinkTransport;
        bridge.addLink(side.link, side.options);
      }
    );
    const net = await openUdp({ listen: "127.0.0.1:0" });
    bridge.addLink(net, { name: "udp:127.0.0.1" });
    const port = (mav as unknown as { carrier: { local: { port: number } } }).carrier.local.port;
    const companion = await startCompanion(`udpout:127.0.0.1:${port}`);
    await until(() => bridge.cells().length === 2, 5000, "camera and battery");

    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: string) => void printed.push(line));
    try {
      expect(await ls.run(["--udp", `127.0.0.1:${net.local.port}`])).toBe(0);
      expect(await call.run(["camera.trigger", '{"id":7}', "--udp", `127.0.0.1:${net.local.port}`])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const rows = printed.join("\n");
    expect(rows).toMatch(/camera .* mavlink:udp:127\.0\.0\.1:0 mavlink:1\/191/);
    expect(rows).toMatch(/battery .* mavlink:udp:127\.0\.0\.1:0 mavlink:1\/191/);
    expect(printed[printed.length - 1]).toContain('"shots":1');

    const client = await openUdp(`127.0.0.1:${net.local.port}`);
    const log: string[] = [];
    await groundStation(client, (line) => log.push(line));
    expect(log).toEqual(["battery 100% (16.80 V)", "camera: picture 1 taken, 2 so far"]);
    companion.drain(85);
    await until(() => log.length === 3, 5000, "the low-battery event");
    expect(log[2]).toBe("LOW BATTERY: 15% (13.74 V)");
    client.close();
    companion.close();
    bridge.close();
  }, 20000);
});
