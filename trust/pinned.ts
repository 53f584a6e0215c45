// A typed client for a cell pulled into this project (`cell pull`): remote() with one check more. At its
// first call it asks the remote for its schema and compares the hash with the one Cell.lock pinned; a
// remote whose schema changed fails every call with SpeciatedError instead of answering in a shape the
// types no longer describe.
import type { Transport } from "../core/transport";
import type { CellDef, Members } from "../core/schema";
import { fnv1a32String } from "../core/fnv";
import { hex32 } from "../core/hex";
import { remote, type Remote, type RemoteOptions } from "../core/host/remote";

/** The remote's schema is not the locked one: its hash, and the locked one, as 8 hex digits. */
export class SpeciatedError extends Error {
  readonly code = "Speciated";
  readonly cell: string;
  readonly locked: string;
  readonly found: string;
  constructor(cell: string, locked: string, found: string) {
    super(`${cell}: this cell has speciated: locked ${locked}, found ${found} (cell pull ${cell} --update moves the lock)`);
    this.name = "SpeciatedError";
    this.cell = cell;
    this.locked = locked;
    this.found = found;
  }
}

/** remote(def, link) that first checks the remote is `lockedHash` (8 hex digits, as in Cell.lock). */
export function pinnedRemote<M extends Members>(def: CellDef<M>, lockedHash: string, link: Transport, opts?: RemoteOptions): Remote<M> {
  if (hex32(def.hash) !== lockedHash)
    throw new Error(`${def.name}: this schema hashes to ${hex32(def.hash)}, not the locked ${lockedHash} (was the pulled file edited?)`);
  const inner = remote(def, link, opts) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> & Remote<Members>;
  let checked: Promise<void> | null = null;
  const check = (): Promise<void> => {
    checked ??= inner.describe(opts?.timeoutMs ? { timeoutMs: opts.timeoutMs } : undefined).then(
      (text) => {
        const found = hex32(fnv1a32String(text));
        if (found !== lockedHash) throw new SpeciatedError(def.name, lockedHash, found);
      },
      (e) => {
        checked = null; // no answer says nothing about the schema: the next call asks again
        throw e;
      }
    );
    return checked;
  };
  const out: Record<string, unknown> = {};
  for (const name in def.info) {
    if (def.info[name].def.kind !== "method") continue;
    Object.defineProperty(out, name, { enumerable: true, value: (...a: unknown[]) => check().then(() => inner[name](...a)) });
  }
  return Object.assign(out, {
    on: (name: string, listener: (v: unknown) => void) => check().then(() => inner.on(name as never, listener)),
    off: (name: string, listener: (v: unknown) => void) => inner.off(name as never, listener),
    describe: (o?: { timeoutMs?: number }) => inner.describe(o),
    close: () => inner.close()
  }) as unknown as Remote<M>;
}
