// Why CAN frames were dropped (counted in the link's stats.drops), and the bus trouble an adapter reports.

export const CanDrop = {
  /** A frame whose protocol control byte is not a valid SF, FF, CF or FC. */
  BadPci: "BadPci",
  /** A consecutive frame with the wrong sequence number: one was lost, the message is dropped. */
  BadSequence: "BadSequence",
  /** A CF or FC nothing was waiting for. */
  UnexpectedFrame: "UnexpectedFrame",
  /** A message whose consecutive frames stopped coming (N_Cr timeout). */
  ReceiveTimeout: "ReceiveTimeout",
  /** A message the peer never gave flow control for (N_Bs timeout), or refused (overflow, too many WAITs). */
  NoFlowControl: "NoFlowControl",
  /** A message cut off by bus-off or a frame the adapter refused. */
  BusError: "BusError",
  /** A frame sent from our own node address by someone else: two nodes share an address. */
  AddressConflict: "AddressConflict"
} as const;

/** The CAN controller stopped (bus-off) or refused a frame; `busOff` tells which. */
export class CanBusError extends Error {
  readonly busOff: boolean;
  constructor(message: string, busOff: boolean) {
    super(message);
    this.name = "CanBusError";
    this.busOff = busOff;
  }
}
