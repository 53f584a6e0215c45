// A flood on UDP: the bridge's sockets ask the OS for a large receive buffer, and datagrams the OS still
// drops for a full buffer are counted and shown in the bridge cell's links() rows (issue 10, item 14).
import { describe, it, expect, afterEach } from "vitest";
import { readFileSync } from "node:fs";
import { createSocket } from "node:dgram";
import { openUdp, UdpTransport } from "../transports/udp";
import { dropsInProcNetUdp } from "../transports/udp-drops";
import { createBridge, Bridge } from "../host-bridge";
import { until } from "./bridge-fixtures";

let bridge: Bridge | null = null;
const links: UdpTransport[] = [];
afterEach(() => {
  bridge?.close();
  bridge = null;
  for (const l of links.splice(0)) l.close();
});

/** Linux's cap on SO_RCVBUF, or null elsewhere. */
function rmemMax(): number | null {
  try {
    return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim());
  } catch {
    return null;
  }
}

describe("UDP receive buffer and OS drops", () => {
  it("asks for a 4 MiB receive buffer (the OS caps it), far above the usual default of 212,992 bytes", async () => {
    const link = await openUdp({ listen: "127.0.0.1:0" });
    links.push(link);
    const cap = rmemMax();
    // Linux doubles what it is asked for (bookkeeping) up to twice rmem_max.
    expect(link.receiveBufferSize).toBeGreaterThanOrEqual(Math.min(4 * 1024 * 1024, cap ?? 4 * 1024 * 1024));
    expect(link.receiveBufferSize).toBeGreaterThan(212992);
  });

  it("reads the drops column of /proc/net/udp for the link's port", () => {
    const text = [
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            ",
      "10601: 0100007F:C2D2 00000000:0000 07 00000000:002EF800 00:00000000 00000000     0        0 213347 2 00000000215e96ff 1360     ",
      "14517: 00000000:D21E 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 213348 2 00000000688326b8 0        "
    ].join("\n");
    expect(dropsInProcNetUdp(text, 0xc2d2)).toBe(1360);
    expect(dropsInProcNetUdp(text, 0xd21e)).toBe(0);
    expect(dropsInProcNetUdp(text, 1)).toBe(0);
  });

  it("counts what the OS dropped in the link's row of the bridge cell (ReceiveBufferFull)", async () => {
    const udp = await openUdp({ listen: "127.0.0.1:0", receiveBufferBytes: 4096 }); // tiny on purpose: a burst overflows it
    bridge = createBridge();
    bridge.addLink(udp, { role: "network", name: "udp" });
    const flood = createSocket("udp4");
    const garbage = Buffer.alloc(1000, 0x55);
    let sent = 0;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 400; i++) flood.send(garbage, udp.local.port, "127.0.0.1", () => (++sent === 400 ? resolve() : undefined));
    });
    flood.close();
    const row = () => bridge!.links().find((l) => l.name === "udp")!;
    const dropped = () => row().drops.find((d) => d.reason === "ReceiveBufferFull")?.count ?? 0;
    await until(() => dropped() > 0, 3000, "the OS's drops to show");
    const seen = row().drops.find((d) => d.reason === "TooShort" || d.reason === "BadMagic")?.count ?? 0;
    expect(dropped() + seen).toBeLessThanOrEqual(400);
    expect(dropped()).toBe(udp.osReceiveDrops());
  });
});
