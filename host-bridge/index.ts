// The host bridge: device cells re-exposed on UDP, QUIC and NATS (see spec/bridge.md).
export { createBridge } from "./bridge";
export type { Bridge, BridgeChange } from "./bridge";
export type { BridgeOptions, LinkOptions, LinkRole } from "./options";
export { Bridge as BridgeCell } from "./bridge-cell";
export type { CellRowValue, LinkRowValue } from "./bridge-cell";
