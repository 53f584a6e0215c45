// What the CAN link needs from a CAN interface (SocketCAN, an slcan USB adapter, a test bus): raw frames
// in and out. ISO-TP and the id scheme live above it, in can-link.ts.
import type { CanFrame } from "./frame";

export interface CanAdapter {
  /** A name for messages, e.g. "slcan /dev/ttyACM0" or "socketcan can0". */
  readonly name: string;
  /** True when the interface sends and receives CAN FD frames (up to 64 data bytes). */
  readonly fd: boolean;
  /** Queues one frame for the bus; must copy `frame.data` before returning. */
  send(frame: CanFrame): void;
  /** Sets the one receiver of frames heard on the bus (never the adapter's own). */
  onFrame(cb: (frame: CanFrame) => void): void;
  /** Sets the receiver of interface trouble: a refused frame, bus-off (`CanBusError`), a lost port. */
  onError(cb: (err: Error) => void): void;
  /** Called once when the interface goes away or is closed. */
  onClose(cb: () => void): void;
  close(): void;
}
