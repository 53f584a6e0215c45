// A CanAdapter over an slcan USB adapter (CANable and other Lawicel-protocol devices): a serial port
// through `serialport` (loaded only here), or tcp://host:port (ser2net). Opening closes the channel,
// sets the bitrate (S0..S8) and opens it (O); frames then go as t/T (d/D on CAN FD) lines.
import type { CanAdapter } from "./adapter";
import type { CanFrame } from "./frame";
import type { Medium, OpenMedium } from "../medium";
import { CanBusError } from "./errors";
import { bitrateCommand, encodeSlcan, SlcanLineReader } from "./slcan-codec";
import { parseTcpTarget } from "../serial";
import { tcpMedium } from "../tcp-medium";

export interface SlcanOptions {
  /** The CAN bitrate (default 500000): one of slcan's S0..S8 rates. */
  bitrate?: number;
  /** The serial line's baud rate (default 115200; USB CDC adapters ignore it). */
  ttyBaudRate?: number;
  /** The adapter takes CAN FD frames (d/D lines; its data bitrate set by its own tool). */
  fd?: boolean;
}

export interface SlcanAdapter extends CanAdapter {
  /** Lines that were neither a frame nor an answer (e.g. another host's commands on a back-to-back line). */
  readonly ignoredLines: number;
  /** Lines that looked like frames but did not parse. */
  readonly badLines: number;
}

export async function openSlcan(path: string, opts: SlcanOptions = {}): Promise<SlcanAdapter> {
  const setup = ["C", bitrateCommand(opts.bitrate ?? 500000), "O"];
  const tcp = parseTcpTarget(path);
  let open: OpenMedium;
  if (tcp) open = tcpMedium(tcp.host, tcp.port, 5000);
  else open = (await import("../serialport-medium")).serialPortMedium(path, opts.ttyBaudRate ?? 115200);
  const name = `slcan ${path}`;
  const reader = new SlcanLineReader();
  let onFrame: (f: CanFrame) => void = () => {};
  let onError: (e: Error) => void = () => {};
  const closers: (() => void)[] = [];
  let closed = false;
  let ignoredLines = 0;
  let badLines = 0;
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const cb of closers.splice(0)) cb();
  };
  const medium: Medium = await open({
    data: (bytes) =>
      reader.feed(bytes, (line) => {
        if (line.type === "frame") onFrame(line.frame);
        else if (line.type === "bell")
          onError(new CanBusError(`${name}: the adapter refused a command or frame (bell): bus-off, or the channel is not open`, false));
        else if (line.type === "status" && line.flags & 0x80)
          onError(new CanBusError(`${name}: the adapter reports a bus error (status F${line.flags.toString(16).padStart(2, "0")})`, true));
        else if (line.type === "bad") badLines++;
        else if (line.type === "other") ignoredLines++;
      }),
    lost: (err) => {
      if (closed) return;
      onError(new Error(`${name} went away${err ? ": " + err.message : ""}`));
      finish();
    }
  });
  const write = (text: string) => medium.write(Buffer.from(text, "latin1"));
  write(setup.map((c) => c + "\r").join(""));
  return {
    name,
    fd: !!opts.fd,
    get ignoredLines() {
      return ignoredLines;
    },
    get badLines() {
      return badLines;
    },
    send(frame) {
      if (closed) throw new Error(`${name} is closed`);
      write(encodeSlcan(frame));
    },
    onFrame: (cb) => (onFrame = cb),
    onError: (cb) => (onError = cb),
    onClose: (cb) => (closed ? cb() : closers.push(cb)),
    close() {
      if (closed) return;
      try {
        write("C\r");
      } catch {
        // the port may be gone already
      }
      finish();
      medium.close();
    }
  };
}
