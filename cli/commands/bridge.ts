import { defineCommand, repeated, option, flag, hostPort, nonEmpty, wholeNumber, ms, UsageError } from "../args";
import { ExitCode } from "../exit-codes";
import { natsUrl } from "../bridge/links";
import { boardId } from "../boards";
import { HEADER_SIZE } from "../../core/header";
import { CRC_SIZE } from "../../core/stream-bytes";
import { hexId } from "../../core/hex";

/** A serial frame holds at least a header and its CRC; past 64 KiB no board or link needs it. */
export const MAX_FRAME_RANGE = { min: HEADER_SIZE + CRC_SIZE, max: 65536 };

/** A method name as cell.method. */
function cellMethod(text: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(text))
    throw new Error(`takes cell.method, e.g. thermo.read, got ${JSON.stringify(text)}`);
  return text;
}

/** A CAN bus: slcan:PATH[:BITRATE][?opts] or socketcan:IFACE[?opts] (checked whole when it opens). */
function canSpec(text: string): string {
  if (!/^(slcan|socketcan):[^?]+/.test(text)) throw new Error(`takes slcan:PATH[:BITRATE] or socketcan:IFACE, got ${JSON.stringify(text)}`);
  return text;
}

/** A MAVLink side: udp:host:port, udpout:host:port or serial:path[:baud]. */
function mavlinkSide(text: string): string {
  const m = /^(udp|udpout|serial):(.+)$/.exec(text);
  if (!m) throw new Error(`takes udp:host:port, udpout:host:port or serial:path[:baud], got ${JSON.stringify(text)}`);
  if (m[1] !== "serial") hostPort(m[2]);
  return text;
}

/** Paced writes as chunk/gap, e.g. 16/60 (16-byte writes 60 ms apart); "0" for none. */
function pacingSpec(text: string): { chunkBytes: number; gapMs: number } | null {
  if (text === "0") return null;
  const m = /^(\d{1,5})\/(\d{1,4})$/.exec(text);
  const [chunkBytes, gapMs] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(chunkBytes >= 1 && chunkBytes <= 65536 && gapMs >= 1 && gapMs <= 5000)) {
    throw new Error(`takes bytes/ms (e.g. 16/60: 16-byte writes 60 ms apart) or 0 for none, got ${JSON.stringify(text)}`);
  }
  return { chunkBytes, gapMs };
}

/** The default request timeout: 4 s, or longer when paced writes make a largest frame take longer to send. */
export function defaultTimeoutMs(pacing: { chunkBytes: number; gapMs: number } | null | undefined, maxFrame: number): number {
  if (!pacing) return 4000;
  return Math.max(4000, 2 * Math.ceil(maxFrame / pacing.chunkBytes) * pacing.gapMs + 1000);
}

/** A serial device path, or tcp://host:port (QEMU, ser2net). */
function serialPath(text: string): string {
  if (text.startsWith("tcp://")) hostPort(text.slice(6));
  return nonEmpty(text);
}

export const command = defineCommand({
  name: "bridge",
  summary: "re-expose the cells of boards on serial links to UDP, QUIC and NATS",
  about: `Holds links to boards and re-exposes every cell it hears announced on them to the network: clients
call them over UDP, QUIC or NATS as if they were local. Logs what it discovers. Ctrl-C (SIGINT) stops
it gently: it says goodbye, lets the requests in flight finish (up to --timeout), then exits. SIGTERM
stops it at once: goodbye, the requests in flight are answered Unreachable ("the bridge is stopping"),
the links are closed, and it exits. Give at least one network side (--udp, --quic, --nats, --multicast, --mavlink or --can).`,
  options: {
    serial: repeated({
      value: "path",
      help: "a board: a serial device, a pseudo-terminal, or tcp://host:port (QEMU, ser2net)",
      parse: serialPath
    }),
    udp: repeated({ value: "host:port", help: "serve UDP clients here, e.g. 0.0.0.0:7420", parse: hostPort }),
    multicast: repeated({ value: "group:port", help: "announce on a LAN multicast group too, e.g. 239.255.67.1:7422", parse: hostPort }),
    quic: repeated({ value: "host:port", help: "serve QUIC clients here (prints the key fingerprint they pin)", parse: hostPort }),
    nats: repeated({ value: "url", help: "serve the cells on a NATS server (several bridges share each cell's requests)", parse: natsUrl }),
    ttl: option({ value: "ms", help: "TTL of the bridge's own ANNOUNCE", default: "3000", parse: ms }),
    timeout: option({
      value: "ms",
      help: "a request not answered in this time fails TimedOut (default 4000, or twice a largest frame's paced write time + 1 s)",
      parse: ms
    }),
    board: option({
      value: "id",
      help: "the board on the --serial links (boards/*.json): writes to it are paced as its link needs (stock Espruino 2v26-2v29 loses bytes sent too fast)",
      parse: boardId
    }),
    pacing: option({
      value: "bytes/ms",
      help: "pace writes on the --serial links, e.g. 16/60, or 0 for none (default: the --board's)",
      parse: pacingSpec
    }),
    idempotent: repeated({ value: "cell.method", help: "a method the bridge may retry once on another instance", parse: cellMethod }),
    "max-frame": option({
      value: "bytes",
      help: `largest frame on the serial links, ${MAX_FRAME_RANGE.min}..${MAX_FRAME_RANGE.max} (default: the device default, 1044; a board that answers the bridge's query on connecting says its own, if smaller)`,
      parse: wholeNumber(MAX_FRAME_RANGE.min, MAX_FRAME_RANGE.max, "(bytes: a header and CRC at least)")
    }),
    can: repeated({
      value: "spec",
      help: "a CAN bus: slcan:/dev/ttyACM0:500000 (an slcan USB adapter, CAN bitrate) or socketcan:can0; add ?node=N (this bridge's address, unique on the bus). Boards and other bridges on the bus are learned; the cells held here are announced there",
      parse: canSpec
    }),
    ble: flag(
      "scan for Bluetooth LE Cell beacons (Puck.js...), list their cells, connect on the first call (needs @abandonware/noble or node-ble, and an adapter)"
    ),
    mavlink: repeated({
      value: "udp:host:port|udpout:host:port|serial:path[:baud]",
      help: "MAVLink: udp: listens and answers whoever sends (e.g. udp:0.0.0.0:14550), udpout: sends to a ground station or router, serial: a telemetry radio or TELEM port (default 57600 baud)",
      parse: mavlinkSide
    }),
    "mavlink-system": option({
      value: "n",
      help: "the bridge's MAVLink system id (default 255; each node on a MAVLink network needs its own pair: cell nodes default to 1/191)",
      parse: wholeNumber(1, 255)
    }),
    "mavlink-component": option({ value: "n", help: "the bridge's MAVLink component id (default 194)", parse: wholeNumber(1, 255) }),
    "mavlink-sign": flag("sign MAVLink packets and refuse unsigned ones (key in ~/.config/cell/mavlink.key)"),
    quiet: flag("log nothing but errors")
  },
  footer: "example: cell bridge --serial /dev/ttyUSB0 --udp 0.0.0.0:7420 --nats nats://127.0.0.1:4222",
  async run(o) {
    if (o.udp.length + o.quic.length + o.nats.length + o.multicast.length + o.mavlink.length + o.can.length === 0) {
      throw new UsageError("give at least one network side: --udp, --quic, --nats, --multicast, --mavlink or --can");
    }
    // host-bridge and the transports load only once the command line is known to be good.
    let pacing = o.pacing;
    if (pacing === undefined && o.board) {
      const { loadBoard } = await import("../../firmware/build/board");
      pacing = loadBoard(o.board).ports.link.pacing ?? null;
    }
    const timeoutMs = o.timeout ?? defaultTimeoutMs(pacing, o["max-frame"] ?? 1044);
    const { createBridge } = await import("../../host-bridge");
    const { openSides } = await import("../bridge/open-sides");
    const log = (line: string) => {
      if (!o.quiet) console.log(`${new Date().toISOString()} ${line}`);
    };
    let bridge: ReturnType<typeof createBridge>;
    try {
      bridge = createBridge({ ttlMs: o.ttl, timeoutMs, idempotent: o.idempotent, log });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    log(`bridge ${hexId(bridge.instanceId)} starting`);
    if (pacing && o.serial.length)
      log(`serial writes paced: ${pacing.chunkBytes}-byte chunks ${pacing.gapMs} ms apart; requests time out after ${timeoutMs} ms`);
    try {
      await openSides(
        {
          serial: o.serial,
          pacing: pacing ?? undefined,
          udp: o.udp,
          quic: o.quic,
          nats: o.nats,
          multicast: o.multicast,
          maxFrame: o["max-frame"],
          can: o.can,
          ble: o.ble,
          mavlink: o.mavlink,
          mavlinkSystem: o["mavlink-system"],
          mavlinkComponent: o["mavlink-component"],
          mavlinkSign: o["mavlink-sign"]
        },
        (side) => {
          const name = bridge.addLink(side.link, side.options);
          log(`${side.options.role} link ${name} open`);
          if (side.note) console.log(side.note);
        }
      );
    } catch (e) {
      bridge.close();
      throw e;
    }
    await new Promise<void>((resolve) => {
      const gently = () => {
        process.off("SIGINT", gently);
        process.off("SIGTERM", now);
        log("stopping: goodbye sent, finishing the requests in flight");
        void bridge.drain().then(resolve);
      };
      const now = () => {
        process.off("SIGINT", gently);
        process.off("SIGTERM", now);
        log("stopping now: goodbye sent, the requests in flight answered Unreachable");
        bridge.close();
        resolve();
      };
      process.on("SIGINT", gently);
      process.on("SIGTERM", now);
    });
    log("stopped");
    return ExitCode.Ok;
  }
});
