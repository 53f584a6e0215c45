// Follows the bridge at the other end of a client's link: asks who is there (an empty ANNOUNCE,
// spec/rpc.md §8.1) every `everyMs`, and tells when the bridge answers with another instance id (it
// restarted, and forgot its subscribers) or says goodbye (ttl 0).
import type { Transport } from "../../core/transport";
import { endpoint } from "../../core/rpc/endpoint";
import { Bridge } from "../../host-bridge/bridge-cell";

const QUERY = new Uint8Array([0xce, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

export interface BridgeFollower {
  /** Whoever answers next counts as a restart (subscribing again failed: try again then). */
  forget(): void;
  stop(): void;
}

export function followBridge(link: Transport, everyMs: number, on: { restarted(instanceId: number): void; gone(): void }): BridgeFollower {
  let current = 0;
  let known = false; // the first answer only records the instance id
  let again = false;
  let away = false;
  const stopListening = endpoint(link).onAnnounce((a) => {
    if (!a.cells.some((c) => c.cellId === Bridge.id)) return;
    if (a.ttlMs === 0) {
      if (a.instanceId === current && !away) {
        away = true;
        on.gone();
      }
      return;
    }
    if (!known) {
      known = true;
      current = a.instanceId;
    } else if (a.instanceId !== current || away || again) {
      // Another bridge, or the same one after a goodbye: it forgot us either way.
      current = a.instanceId;
      away = again = false;
      on.restarted(a.instanceId);
    }
  });
  const ask = () => {
    try {
      link.send(QUERY);
    } catch {
      // a link that refuses (closed) ends the watch through its onClose
    }
  };
  ask();
  const timer = setInterval(ask, everyMs);
  return {
    forget() {
      again = true;
    },
    stop() {
      clearInterval(timer);
      stopListening();
    }
  };
}
