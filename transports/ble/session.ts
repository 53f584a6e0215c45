// A connected Nordic UART Service peripheral as a central sees it: what the BLE link needs from a
// Bluetooth library (noble, node-ble) or from a simulated peripheral.

/** The Nordic UART Service and its characteristics. */
export const NUS_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e";
/** RX: the central writes here (write without response). */
export const NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e";
/** TX: the peripheral notifies here. */
export const NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e";

export interface NusSession {
  /** Names the peripheral in messages, e.g. "Puck.js a1b2 (c7:1f:…)". */
  readonly name: string;
  /** The ATT MTU agreed on; a write or notification carries at most mtu − 3 bytes. */
  readonly mtu: number;
  /**
   * Writes one chunk (at most mtu − 3 bytes) to RX without response. Resolves when the stack can take
   * the next one: the central's flow control. Rejects when the connection is gone.
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Sets the receiver of TX notifications (the peripheral's bytes, cut anywhere). */
  onNotify(cb: (bytes: Uint8Array) => void): void;
  /** Called once when the connection ends, with the reason when known. */
  onDisconnect(cb: (reason: string) => void): void;
  disconnect(): void;
}

/** Connects (again) to one peripheral, asking for an ATT MTU of `mtu`. */
export type ConnectNus = (mtu: number) => Promise<NusSession>;
