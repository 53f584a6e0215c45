// A CanAdapter over Linux SocketCAN through the npm package `socketcan` (loaded only here). Error
// frames (CAN_ERR_FLAG) are read for bus-off. Tested here through a stand-in for the package's channel,
// with the same vectors as the other adapters: this machine's kernel has no vcan.
import type { CanAdapter } from "./adapter";
import type { CanFrame } from "./frame";
import { CanBusError } from "./errors";
import { existsSync } from "node:fs";
import { loadOptional } from "../optional";

/** The part of a `socketcan` raw channel this adapter uses. */
export interface RawChannel {
  addListener(event: "onMessage", cb: (msg: RawMessage) => void): unknown;
  addListener(event: "onStopped", cb: () => void): unknown;
  start(): void;
  stop(): void;
  send(msg: RawMessage): unknown;
  sendFD?(msg: RawMessage): unknown;
}

export interface RawMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  canfd?: boolean;
  data: Buffer;
}

export interface SocketCanModule {
  createRawChannel(iface: string, timestamps?: boolean): RawChannel;
  createRawChannelWithOptions?(iface: string, options: { canfd?: boolean; timestamps?: boolean }): RawChannel;
}

const CAN_ERR_FLAG = 0x20000000;
const CAN_ERR_BUSOFF = 0x40; // in the error frame's id: the controller went bus-off
const CAN_ERR_RESTARTED = 0x100;

export interface SocketCanOptions {
  /** Open a CAN FD socket (CAN_RAW_FD_FRAMES). */
  fd?: boolean;
  /** The `socketcan` module (tests pass a stand-in). */
  module?: SocketCanModule;
}

/** Plain words for what opening an interface can fail with (the package says only "Error while creating channel"). */
function describeOpenError(iface: string, err: Error): string {
  if (/No such device|ENODEV/.test(err.message) || !existsSync(`/sys/class/net/${iface}`))
    return `there is no CAN interface ${iface} (ip link show type can; a virtual one needs the vcan kernel module, which this kernel may not have)`;
  return `cannot open CAN interface ${iface}: ${err.message}`;
}

export async function openSocketCan(iface: string, opts: SocketCanOptions = {}): Promise<CanAdapter> {
  const mod = opts.module ?? (await loadOptional<{ default?: SocketCanModule } & SocketCanModule>("socketcan", "socketcan"));
  const can: SocketCanModule = (mod as { default?: SocketCanModule }).default ?? mod;
  let channel: RawChannel;
  try {
    channel =
      opts.fd && can.createRawChannelWithOptions
        ? can.createRawChannelWithOptions(iface, { canfd: true })
        : can.createRawChannel(iface, false);
    channel.start();
  } catch (e) {
    throw new Error(describeOpenError(iface, e as Error), { cause: e });
  }
  if (opts.fd && !can.createRawChannelWithOptions)
    throw new Error("socketcan: this version of the npm package has no CAN FD sockets (createRawChannelWithOptions)");
  const name = `socketcan ${iface}`;
  let onFrame: (f: CanFrame) => void = () => {};
  let onError: (e: Error) => void = () => {};
  const closers: (() => void)[] = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const cb of closers.splice(0)) cb();
  };
  channel.addListener("onMessage", (msg) => {
    if (msg.err || msg.id & CAN_ERR_FLAG) {
      if (msg.id & CAN_ERR_BUSOFF) onError(new CanBusError(`${name}: the controller is bus-off`, true));
      else if (!(msg.id & CAN_ERR_RESTARTED))
        onError(new CanBusError(`${name}: CAN error frame (class 0x${(msg.id & 0x1fffffff).toString(16)})`, false));
      return;
    }
    if (msg.rtr) return;
    const frame: CanFrame = {
      id: msg.id,
      extended: !!msg.ext,
      data: new Uint8Array(msg.data.buffer, msg.data.byteOffset, msg.data.length)
    };
    if (msg.canfd || msg.data.length > 8) frame.fd = true;
    onFrame(frame);
  });
  channel.addListener("onStopped", finish);
  return {
    name,
    fd: !!opts.fd,
    send(frame) {
      if (closed) throw new Error(`${name} is closed`);
      const msg: RawMessage = { id: frame.id, ext: frame.extended, rtr: false, data: Buffer.from(frame.data) };
      if (frame.fd && channel.sendFD) channel.sendFD(msg);
      else if (frame.fd) channel.send({ ...msg, canfd: true });
      else channel.send(msg);
    },
    onFrame: (cb) => (onFrame = cb),
    onError: (cb) => (onError = cb),
    onClose: (cb) => (closed ? cb() : closers.push(cb)),
    close() {
      if (closed) return;
      finish();
      channel.stop();
    }
  };
}
