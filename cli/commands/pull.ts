import { defineCommand, option, flag, ms, nonEmpty, UsageError } from "../args";
import { CliError, ExitCode } from "../exit-codes";
import { TARGET_OPTIONS, type TargetOptions } from "../bridge/links";

/** --from: udp://host:port (or host:port), quic://host:port, nats://... (tls://, ws://, wss://). */
function fromAddress(text: string): TargetOptions {
  const m = /^(udp|quic|nats|tls|ws|wss):\/\/(.+)$/.exec(text);
  const scheme = m ? m[1] : "udp";
  const rest = m ? m[2] : text;
  if (scheme === "udp") return { udp: TARGET_OPTIONS.udp.parse(rest) as string };
  if (scheme === "quic") return { quic: TARGET_OPTIONS.quic.parse(rest) as string };
  return { nats: TARGET_OPTIONS.nats.parse(text) as string };
}

/** The address as Cell.lock records it. */
function addressOf(t: TargetOptions): string {
  if (t.quic) return `quic://${t.quic}`;
  if (t.nats) return /^[a-z]+:\/\//.test(t.nats) ? t.nats : `nats://${t.nats}`;
  return `udp://${t.udp ?? "127.0.0.1:7420"}`;
}

export const command = defineCommand({
  name: "pull",
  summary: "pin a remote cell: write cells/<name>.ts (its schema in the DSL, typed) and lock its hash in Cell.lock",
  args: [{ name: "cell", required: true, help: "the cell's name, e.g. thermo" }],
  about: `Asks the cell for its schema (describe) and writes it as TypeScript, so remote calls are typed as if
its source were here: import { connect } from "./cells/thermo" and connect(link).read(...). Cell.lock in the
current folder records its schema hash, address and the date. The client checks at its first call that the
remote still has the locked schema, else fails with "this cell has speciated". A cell whose schema changed
since it was locked is refused here too, unless --update (which moves the lock and rewrites the file).`,
  options: {
    ...TARGET_OPTIONS,
    from: option({
      value: "address",
      help: "where the cell is: udp://host:port (or host:port), quic://host:port (with --fingerprint) or nats://host:port",
      parse: fromAddress
    }),
    out: option({ value: "dir", help: "where the .ts file goes", default: "cells", parse: nonEmpty }),
    update: flag("the cell's schema changed: take the new one, rewrite the file and move the lock"),
    timeout: option({ value: "ms", help: "how long to wait for the schema", default: "5000", parse: ms })
  },
  footer: `Exit codes: 0 pulled (or already locked at this schema), 1 the schema changed since it was locked (see --update),
2 usage, 3 Cell.lock or the schema does not parse, 4 nothing answers at the address, 5 no answer in time.`,
  async run(o, [name]) {
    const { mkdirSync, writeFileSync } = await import("node:fs");
    const { join, relative, sep } = await import("node:path");
    const { fileURLToPath } = await import("node:url");
    const { describeCell } = await import("../bridge/describe");
    const { withTarget } = await import("../bridge/links");
    const { lockIn } = await import("../releases");
    const { emptyLock, writeLock, LOCK_FILE } = await import("../../trust/lock");
    const { pulledSource } = await import("../schema-source");
    const { hex32 } = await import("../../core/hex");
    if (o.from && (o.udp || o.quic || o.nats)) throw new UsageError("give --from or one of --udp, --quic, --nats, not both");
    const target: TargetOptions = { ...(o.from ?? { udp: o.udp, quic: o.quic, nats: o.nats }), fingerprint: o.fingerprint };
    const dir = process.cwd();
    const lock = lockIn(dir) ?? emptyLock(); // a damaged Cell.lock fails before anything is asked
    const def = await withTarget(target, (link) => describeCell(link, name, o.timeout));
    const found = hex32(def.hash);
    const held = lock.cells[def.name];
    const file = join(o.out, `${def.name}.ts`);
    if (held && held.schemaHash !== found && !o.update)
      throw new CliError(
        `${def.name} has speciated: locked ${held.schemaHash}, found ${found} at ${addressOf(target)}; nothing was changed (--update takes the new schema into ${file} and moves the lock)`,
        ExitCode.Failed
      );
    const sdkRoot = fileURLToPath(new URL("../../", import.meta.url));
    const fromOut = relative(join(dir, o.out), sdkRoot).split(sep).join("/") || ".";
    const sdk = sdkRoot.includes(`${sep}node_modules${sep}`) ? "cell" : fromOut.startsWith(".") ? fromOut : `./${fromOut}`;
    const entry =
      held && held.schemaHash === found ? held : { schemaHash: found, address: addressOf(target), pulledAt: new Date().toISOString() };
    mkdirSync(o.out, { recursive: true });
    writeFileSync(file, pulledSource(def, { address: entry.address, pulledAt: entry.pulledAt, sdk }));
    if (entry !== held) {
      lock.cells[def.name] = entry;
      writeLock(dir, lock);
    }
    const what = !held
      ? `locked at schema ${found} in ${LOCK_FILE}`
      : entry === held
        ? `already locked at schema ${found} in ${LOCK_FILE}`
        : `moved the lock in ${LOCK_FILE} from ${held.schemaHash} to ${found}`;
    console.log(`pulled ${def.name} from ${addressOf(target)} into ${file}; ${what}`);
    return ExitCode.Ok;
  }
});
