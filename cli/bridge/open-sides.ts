// The links `cell bridge` holds: device sides (serial ports, tcp:// serial, CAN buses) and network sides (UDP,
// multicast, QUIC, NATS). Each transport module is imported only when one of its options is given.
import type { Transport } from "../../core/transport";
import type { LinkOptions } from "../../host-bridge/options";
import { CliError, ExitCode } from "../exit-codes";
import type { Pacing } from "../../transports/pacing";

export interface SideOptions {
  serial: string[];
  /** Paced writes on the serial links (a stock Espruino board's link). */
  pacing?: Pacing;
  udp: string[];
  multicast: string[];
  quic: string[];
  nats: string[];
  /** MAVLink links: udp:HOST:PORT, udpout:HOST:PORT, serial:PATH[:BAUD] (spec/mavlink.md). */
  mavlink?: string[];
  /** The bridge's MAVLink system and component ids (default 255 and 194), and whether to sign with the configured key. */
  mavlinkSystem?: number;
  mavlinkComponent?: number;
  mavlinkSign?: boolean;
  /** CAN buses: `slcan:PATH[:BITRATE][?node=N]`, `socketcan:IFACE[?node=N]` (transports/can/open.ts). */
  can?: string[];
  /** Scan for BLE Cell beacons and connect to them on the first call. */
  ble?: boolean;
  maxFrame?: number;
}

export interface Side {
  link: Transport;
  options: LinkOptions;
  /** A line to print once it is open (the QUIC fingerprint clients must pin). */
  note?: string;
}

async function opening<T>(what: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    throw new CliError(`cannot open ${what}: ${(e as Error).message}`, ExitCode.Unavailable);
  }
}

export async function openSides(o: SideOptions, opened: (side: Side) => void): Promise<void> {
  for (const path of o.serial) {
    const { openSerial } = await import("../../transports/serial");
    const link = await opening(`serial ${path}`, () => openSerial(path, { maxFrame: o.maxFrame, pacing: o.pacing }));
    opened({ link, options: { role: "device", name: "serial:" + path } });
  }
  for (const spec of o.can ?? []) {
    const { parseCanSpec, openCan } = await import("../../transports/can/open");
    let parsed: import("../../transports/can/open").CanSpec;
    try {
      parsed = parseCanSpec(spec);
    } catch (e) {
      throw new CliError((e as Error).message, ExitCode.Usage);
    }
    const link = await opening(`can ${spec}`, () => openCan(parsed));
    // A shared bus: boards announce on it, and so do other bridges, whose cells are learned and routed to.
    const note = parsed.nodeGiven
      ? undefined
      : `can ${spec}: node address ${link.node}, picked at random (give ?node=N, unique on the bus)`;
    opened({ link, options: { role: "device", name: "can:" + spec, announce: true, learnBridges: true }, note });
  }
  if (o.ble) {
    const { openCentral } = await import("../../transports/ble/open-central");
    const { BleScanLink } = await import("../../transports/ble/scan-link");
    // Tests only: simulated peripherals instead of a Bluetooth adapter (transports/testing/ble-env.ts).
    const simulated = process.env.CELL_TEST_BLE_PERIPHERALS;
    const central = await opening("ble", async () =>
      simulated ? (await import("../../transports/testing/ble-env")).simulatedCentralFromEnv(simulated) : openCentral()
    );
    const link = new BleScanLink(central);
    await opening("ble", () => link.start());
    opened({ link, options: { role: "device", name: `ble:${central.library}` } });
  }
  for (const at of o.udp) {
    const { openUdp } = await import("../../transports/udp");
    const link = await opening(`udp ${at}`, () => openUdp({ listen: at }));
    opened({ link, options: { role: "network", name: "udp:" + at } });
  }
  for (const group of o.multicast) {
    const { openUdp } = await import("../../transports/udp");
    const link = await opening(`udp multicast ${group}`, () => openUdp({ multicast: group }));
    opened({ link, options: { role: "network", name: "multicast:" + group } });
  }
  for (const at of o.quic) {
    const { openQuic } = await import("../../transports/quic");
    const link = await opening(`quic ${at}`, () => openQuic({ listen: at }));
    opened({
      link,
      options: { role: "network", name: "quic:" + at },
      note: `quic ${at}: key fingerprint ${link.fingerprint} (clients pin it with --fingerprint)`
    });
  }
  if (o.mavlink && o.mavlink.length) await openMavlinkSides(o, opened);
  for (const url of o.nats) {
    const { openNats } = await import("../../transports/nats");
    const link = await opening(`nats ${url}`, () => openNats({ servers: url, name: "cell bridge" }));
    opened({ link, options: { role: "network", name: "nats:" + url } });
  }
}

/** MAVLink links learn the other end's bridge (spec/mavlink.md §3) and are joined as a router (§5). */
async function openMavlinkSides(o: SideOptions, opened: (side: Side) => void): Promise<void> {
  const { openMavlink, joinMavlinkLinks } = await import("../../transports/mavlink/index");
  const { configuredKey } = await import("../../transports/mavlink/signing");
  let key: Buffer | null = null;
  if (o.mavlinkSign) {
    key = configuredKey();
    if (!key)
      throw new CliError(
        "--mavlink-sign needs a key: put a passphrase (or 64 hex digits) in $CELL_CONFIG_DIR/mavlink.key or ~/.config/cell/mavlink.key",
        ExitCode.Usage
      );
  }
  const links = [];
  for (const at of o.mavlink || []) {
    const link = await opening(`mavlink ${at}`, () =>
      // A bridge is its own component, apart from the cell nodes' default 1/191 (and a GCS's 255/190).
      openMavlink(at, {
        system: o.mavlinkSystem ?? 255,
        component: o.mavlinkComponent ?? 194,
        maxFrame: o.maxFrame,
        signing: key ? { key } : undefined
      })
    );
    links.push(link);
    opened({ link, options: { role: "network", name: "mavlink:" + at, learnBridges: true } });
  }
  if (links.length > 1) joinMavlinkLinks(links);
}
