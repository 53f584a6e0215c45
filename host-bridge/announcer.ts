// The bridge's own ANNOUNCE on its network sides: its instance id, the `bridge` cell and every cell it
// can reach. Sent at once, every ttl/3, soon after the reachable set changes, and a last one with ttl 0
// when the bridge stops.
import type { Peer } from "../core/transport";
import type { Clock } from "../core/rpc/options";
import type { AnnouncedCell } from "../core/rpc/announce-payload";
import { HEADER_SIZE } from "../core/header";
import { announceFrame } from "../core/rpc/announce";
import type { LinkState } from "./state";

interface Target {
  link: LinkState;
  to: Peer | undefined;
}

export class BridgeAnnouncer {
  private targets: Target[] = [];
  private timer: unknown = null;
  private stopped = false;
  private warned = new Set<number>();

  constructor(
    private instanceId: number,
    private ttlMs: number,
    private clock: Clock,
    /** The cells to list on a link now, the bridge's own first. */
    private cells: (link: LinkState) => AnnouncedCell[],
    private log: (line: string) => void
  ) {}

  add(link: LinkState, to: Peer | undefined): void {
    this.targets.push({ link, to });
    this.sendTo(this.targets[this.targets.length - 1], this.ttlMs);
    if (this.timer === null) this.repeat();
  }

  remove(link: LinkState): void {
    this.targets = this.targets.filter((x) => x.link !== link);
  }

  /** A peer on `link` asked who is there: it is told at once (with the link's maxFrame), if the bridge announces there. */
  answer(link: LinkState, to: Peer | undefined): void {
    if (this.stopped || !this.targets.some((x) => x.link === link)) return;
    this.sendTo({ link, to }, this.ttlMs, true);
  }

  /** The reachable set changed: tell the network now. */
  changed(): void {
    if (!this.stopped) this.sendAll(this.ttlMs);
  }

  /** Sends the goodbye (ttl 0) and stops repeating. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.sendAll(0);
  }

  private repeat(): void {
    const self = this;
    this.timer = this.clock.setTimer(
      function () {
        self.timer = null;
        if (self.stopped) return;
        self.sendAll(self.ttlMs);
        self.repeat();
      },
      Math.max(1, Math.floor(this.ttlMs / 3))
    );
    const t = this.timer as { unref?: () => void };
    if (t && typeof t.unref === "function") t.unref();
  }

  private sendAll(ttlMs: number): void {
    for (const target of this.targets) this.sendTo(target, ttlMs);
  }

  private sendTo(target: Target, ttlMs: number, asked = false): void {
    const link = target.link;
    if (link.closed) return;
    const all = this.cells(link);
    const cells = this.fitting(all, link.link.maxFrame - HEADER_SIZE - (asked ? 4 : 0));
    if (cells.length < all.length && !this.warned.has(link.index)) {
      this.warned.add(link.index);
      this.log(`announce on ${link.name}: only ${cells.length} of ${all.length} cells fit one frame; cells() lists them all`);
    }
    link.trySend(announceFrame({ instanceId: this.instanceId, ttlMs, cells, maxFrame: asked ? link.link.maxFrame : undefined }), target.to);
  }

  /** The longest prefix of `cells` (at most 255) whose ANNOUNCE payload fits `room` bytes. */
  private fitting(cells: AnnouncedCell[], room: number): AnnouncedCell[] {
    let n = 9;
    let i = 0;
    for (; i < cells.length && i < 255; i++) {
      n += 9 + Buffer.byteLength(cells[i].name);
      if (n > room) break;
    }
    return i === cells.length ? cells : cells.slice(0, i);
  }
}
