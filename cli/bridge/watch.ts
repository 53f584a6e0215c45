// `cell watch`: subscribe through any link, print each event as JSON, stop on a signal or a count.
import type { Transport } from "../../core/transport";
import type { EventDef } from "../../core/schema";
import { connect } from "../../core/rpc/client";
import { memberNamed } from "../../core/rpc/members";
import { HOST_CODECS } from "../../core/host/defaults";
import { CliError, ExitCode } from "../exit-codes";
import { UsageError } from "../args";
import { describeCell } from "./describe";
import { valueToJson } from "./values";
import { failure } from "./errors";

export interface WatchOptions {
  timeoutMs: number;
  /** Stop after this many events (Infinity: until the signal). */
  count: number;
  signal: AbortSignal;
  print: (line: string) => void;
}

export async function watchEvent(link: Transport, cellName: string, eventName: string, o: WatchOptions): Promise<void> {
  const def = await describeCell(link, cellName, o.timeoutMs);
  const info = memberNamed(def, eventName, "event");
  if (!info) {
    const events = Object.keys(def.info).filter((n) => def.info[n].def.kind === "event");
    throw new UsageError(`${cellName} has no event ${eventName} (it has: ${events.join(", ") || "none"})`);
  }
  const type = (info.def as EventDef).type;
  const client = connect(def, link, { codecs: HOST_CODECS, timeoutMs: o.timeoutMs });
  let seen = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const listener = (value: unknown) => {
    if (seen >= o.count) return;
    o.print(valueToJson(type, value));
    if (++seen >= o.count) finish();
  };
  if (o.signal.aborted) return;
  o.signal.addEventListener("abort", () => finish(), { once: true });
  // A lost link ends the watch with an error rather than silence.
  let lost: Error | null = null;
  link.onClose(() => {
    lost = new CliError(`${cellName}.${eventName}: the link closed`, ExitCode.Unavailable);
    finish();
  });
  try {
    await new Promise<void>((resolve, reject) => client.on(eventName as never, listener, (err) => (err ? reject(err) : resolve())));
  } catch (e) {
    throw failure(`subscribe to ${cellName}.${eventName}`, e);
  }
  await done;
  client.close(); // unsubscribes: the bridge stops relaying to us, and the device stops when nobody is left
  // Give the unsubscribe a moment to leave before the link is closed under it.
  await new Promise((r) => setTimeout(r, 20));
  if (lost && !o.signal.aborted && seen < o.count) throw lost;
}
