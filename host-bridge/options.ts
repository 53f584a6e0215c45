// What a bridge and each of its links can be told, and the defaults.
import type { Peer } from "../core/transport";
import type { CellDef } from "../core/schema";

export interface BridgeOptions {
  /** Names this bridge in its ANNOUNCEs (default: random). */
  instanceId?: number;
  /** TTL of the bridge's own ANNOUNCEs (default 3000 ms; repeated every ttl/3). */
  ttlMs?: number;
  /** A request not answered within this is failed with TimedOut and cancelled upstream (default 4000 ms, under a client's 5000). */
  timeoutMs?: number;
  /**
   * Methods a retry cannot harm. The canonical schema text does not carry idempotence, so the bridge
   * learns it here: a CellDef contributes its methods declared `{ idempotent: true }`; a string
   * "cell.method" is resolved through `describe` when an instance of that cell appears.
   */
  idempotent?: (CellDef<any> | string)[];
  /** Subscribers per event across all links (default 256). */
  maxSubscribers?: number;
  /** Where discoveries and link trouble are reported (default: nowhere). */
  log?: (line: string) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export type LinkRole = "device" | "network";

export interface LinkOptions {
  /** Shown in cells()/links() and logs, e.g. "udp:0.0.0.0:7420" (default: role and index). */
  name?: string;
  /** device: boards and processes that serve cells; network: where clients are (default "network"). */
  role?: LinkRole;
  /** Learn instances from ANNOUNCEs heard here (default true). */
  learn?: boolean;
  /**
   * Learn the cells other bridges announce here, but not their `bridge` cell (default false: a bridge is
   * one hop). For links with bridges at their other ends: a shared bus such as CAN, or the two ends of a
   * MAVLink link (spec/mavlink.md §3). Split horizon (what is learned here is never announced back here)
   * keeps bridges from routing a request back and forth.
   */
  learnBridges?: boolean;
  /** Send the bridge's own ANNOUNCE here (default: true on network links, false on device links). */
  announce?: boolean;
  /** Whom the ANNOUNCE goes to on a link with many peers (default: the link's default, usually all). */
  announceTo?: Peer;
  /** Largest request payload accepted from this link's clients (default: what the link's maxFrame allows). */
  maxPayload?: number;
  /** Requests from this link's clients in flight through the bridge at once (default 1024 network, 64 device). */
  maxInFlight?: number;
  /** Requests the bridge keeps in flight on this link towards its instances (default 64: a device's limit). */
  maxOutInFlight?: number;
}

export const DEFAULT_TTL_MS = 3000;
export const DEFAULT_TIMEOUT_MS = 4000;
export const DEFAULT_MAX_SUBSCRIBERS = 256;
export const NETWORK_MAX_IN_FLIGHT = 1024;
export const DEVICE_MAX_IN_FLIGHT = 64;
export const DEFAULT_MAX_OUT_IN_FLIGHT = 64;
