// The bridge's BLE side: scans for Cell beacons and offers their cells as if announced (a listing with no
// connection), then connects to a device on the first frame sent to it and carries frames over its
// Nordic UART Service. Each device is a peer `ble:<address>`. While connected, the device's own
// ANNOUNCEs take over; the beacon's entry is no longer refreshed and expires.
import type { Transport, Peer } from "../../core/transport";
import { fnv1a32String } from "../../core/fnv";
import { announceFrame } from "../../core/rpc/announce";
import { CellError, ErrorCode } from "../../core/errors";
import { LinkBase } from "../link-base";
import type { BleCentral } from "./central";
import { decodeBeaconNamesData, decodeManufacturerData, Beacon } from "./beacon";
import { openBle, BleTransport } from "./ble-link";

export interface BleScanOptions {
  /** How long a beacon's cells stay listed after its last advertisement (default 10000 ms). */
  beaconTtlMs?: number;
  /** Largest frame (default 1044, the device default). */
  maxFrame?: number;
  /** Frames queued per device while connecting (default 16). */
  maxQueued?: number;
  /** Devices remembered at once (default 256). */
  maxDevices?: number;
}

export interface BlePeer extends Peer {
  readonly address: string;
}

interface Device {
  peer: BlePeer;
  beacon: Beacon | null;
  names: Map<number, string>;
  lastOffered: number;
  link: BleTransport | null;
  connecting: Uint8Array[] | null;
}

export class BleScanLink extends LinkBase implements Transport {
  readonly maxFrame: number;
  protected readonly label: string;
  private devices = new Map<string, Device>();
  private ttlMs: number;

  constructor(
    private central: BleCentral,
    private o: BleScanOptions = {}
  ) {
    super();
    this.maxFrame = o.maxFrame ?? 1044;
    this.ttlMs = o.beaconTtlMs ?? 10000;
    this.label = `ble (${central.library})`;
  }

  async start(): Promise<void> {
    await this.central.scan((a) => {
      if (this.closed || !a.manufacturerData) return;
      const beacon = decodeManufacturerData(a.manufacturerData);
      const names = beacon ? null : decodeBeaconNamesData(a.manufacturerData);
      if (!beacon && !names) return; // not a Cell device: nothing is kept
      const d = this.device(a.address);
      if (beacon) d.beacon = beacon;
      // Libraries keep one manufacturer data per device, advertising data and scan response alike: merged here.
      if (names) for (const n of names) d.names.set(fnv1a32String(n), n);
      if (beacon || names) this.offer(d, Date.now());
    });
  }

  /** Frames to a device connect to it first; frames without a peer (announcements) are not sent over BLE. */
  send(frame: Uint8Array, to?: Peer): void {
    this.checkSend(frame);
    if (!to) return;
    const d = this.devices.get((to as BlePeer).address);
    if (!d || d.peer !== to) throw new CellError(ErrorCode.Unreachable, `${this.label}: ${to.id} has not been seen advertising`);
    this.stats.framesOut++;
    if (d.link) return d.link.send(frame);
    if (!d.connecting) this.connect(d);
    if (d.connecting!.length >= (this.o.maxQueued ?? 16))
      throw new CellError(ErrorCode.Overloaded, `${this.label}: still connecting to ${d.peer.address}`);
    d.connecting!.push(frame.slice());
  }

  close(): void {
    if (!this.finish()) return;
    this.central.stopScan();
    for (const d of this.devices.values()) if (d.link) d.link.close();
    this.central.close();
  }

  private device(address: string): Device {
    let d = this.devices.get(address);
    if (!d) {
      // Bounded: random addresses rotate, so the longest-known device that is not connected goes first.
      if (this.devices.size >= (this.o.maxDevices ?? 256)) {
        for (const [addr, old] of this.devices) {
          if (old.link || old.connecting) continue;
          this.devices.delete(addr);
          break;
        }
      }
      d = { peer: { id: `ble:${address}`, address }, beacon: null, names: new Map(), lastOffered: 0, link: null, connecting: null };
      this.devices.set(address, d);
    }
    return d;
  }

  /** Hands the bridge an ANNOUNCE for the beacon's named cells, at most every ttl/3 per device. */
  private offer(d: Device, now: number): void {
    if (!d.beacon || d.link || now - d.lastOffered < this.ttlMs / 3) return;
    const cells = d.beacon.cellIds.filter((id) => d.names.has(id)).map((id) => ({ name: d.names.get(id)!, cellId: id, schemaHash: 0 }));
    if (cells.length === 0) return; // ids without names: listed once connected, from the device's ANNOUNCE
    d.lastOffered = now;
    this.deliver(announceFrame({ instanceId: d.beacon.instance, ttlMs: this.ttlMs, cells }), d.peer);
  }

  private connect(d: Device): void {
    d.connecting = [];
    openBle(d.peer.address, this.central.connector(d.peer.address), { reconnect: false, maxFrame: this.maxFrame }).then(
      (link) => {
        const queued = d.connecting || [];
        d.connecting = null;
        if (this.closed) return link.close();
        d.link = link;
        link.onFrame((frame) => {
          this.stats.framesIn++;
          this.deliver(frame, d.peer);
        });
        link.onError((err) => this.reportError(err));
        link.onClose(() => {
          d.link = null; // back to a beacon: the next frame connects again
          d.lastOffered = 0;
        });
        for (const frame of queued) link.send(frame);
      },
      (err: Error) => {
        const lost = d.connecting ? d.connecting.length : 0;
        d.connecting = null;
        this.reportError(
          new CellError(
            ErrorCode.Unreachable,
            `${this.label}: cannot connect to ${d.peer.address}: ${err.message}${lost ? `; ${lost} frame${lost > 1 ? "s" : ""} dropped` : ""}`,
            err
          )
        );
      }
    );
  }
}
