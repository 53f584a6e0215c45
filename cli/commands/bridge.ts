import { parseArgs } from "node:util";
import type { Command } from "../command";
import { createBridge, Bridge } from "../../host-bridge";
import { CliError, ExitCode } from "../exit-codes";
import { openSides } from "../bridge/open-sides";

const usage = `usage: cell bridge [--serial path|tcp://host:port]... [--udp host:port]... [--quic host:port]...
                   [--nats url]... [--multicast group:port]... [--can spec]... [options]

Holds links to boards and re-exposes every cell it hears announced on them to the network: clients
call them over UDP, QUIC or NATS as if they were local. Logs what it discovers. Ctrl-C stops it
gently: it says goodbye, lets the requests in flight finish (up to --timeout), then exits.

  --serial path          a board: a serial device, a pseudo-terminal, or tcp://host:port (QEMU, ser2net)
  --can spec             a CAN bus: slcan:/dev/ttyACM0:500000 (an slcan USB adapter, CAN bitrate) or
                         socketcan:can0; add ?node=N (this bridge's address, unique on the bus). Boards and
                         other bridges on the bus are learned; the cells held here are announced there
  --ble                  scan for Bluetooth LE Cell beacons (Puck.js...), list their cells, connect on the
                         first call (needs @abandonware/noble or node-ble, and an adapter)
  --udp host:port        serve UDP clients here, e.g. 0.0.0.0:7420
  --multicast group:port announce on a LAN multicast group too, e.g. 239.255.67.1:7422
  --quic host:port       serve QUIC clients here (prints the certificate fingerprint they pin)
  --nats url             serve the cells on a NATS server (several bridges share each cell's requests)
  --ttl ms               TTL of the bridge's own ANNOUNCE (default 3000)
  --timeout ms           a request not answered in this time fails TimedOut (default 4000)
  --idempotent cell.method   a method the bridge may retry once on another instance (repeatable)
  --max-frame bytes      largest frame on the serial links (default 1044, the device default)
  --quiet                log nothing but errors

example: cell bridge --serial /dev/ttyUSB0 --udp 0.0.0.0:7420 --nats nats://127.0.0.1:4222`;

function positive(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n > 0)) throw new CliError(`${what} must be a whole number above 0, got ${JSON.stringify(text)}`, ExitCode.Usage);
  return n;
}

export const command: Command = {
  summary: "re-expose the cells of boards on serial links to UDP, QUIC and NATS",
  usage,
  async run(args) {
    const many = { type: "string" as const, multiple: true as const, default: [] as string[] };
    const { values: o } = parseArgs({
      args,
      options: {
        serial: many, udp: many, quic: many, nats: many, multicast: many, idempotent: many, can: many,
        ttl: { type: "string" }, timeout: { type: "string" }, "max-frame": { type: "string" }, quiet: { type: "boolean" }, ble: { type: "boolean" }
      }
    });
    if (o.udp.length + o.quic.length + o.nats.length + o.multicast.length + o.can.length === 0) {
      throw new CliError("give at least one network side: --udp, --quic, --nats, --multicast or --can\n\n" + usage, ExitCode.Usage);
    }
    const log = (line: string) => {
      if (!o.quiet) console.log(`${new Date().toISOString()} ${line}`);
    };
    let bridge: Bridge;
    try {
      bridge = createBridge({ ttlMs: positive(o.ttl, "--ttl"), timeoutMs: positive(o.timeout, "--timeout"), idempotent: o.idempotent, log });
    } catch (e) {
      throw new CliError((e as Error).message, ExitCode.Usage);
    }
    log(`bridge 0x${bridge.instanceId.toString(16).padStart(8, "0")} starting`);
    try {
      await openSides(
        { serial: o.serial, udp: o.udp, quic: o.quic, nats: o.nats, multicast: o.multicast, can: o.can, ble: o.ble, maxFrame: positive(o["max-frame"], "--max-frame") },
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
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        log("stopping: goodbye sent, finishing the requests in flight");
        void bridge.drain().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    log("stopped");
    return ExitCode.Ok;
  }
};
