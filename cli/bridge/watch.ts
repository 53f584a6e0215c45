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
import { followBridge } from "./bridge-follow";

export interface WatchOptions {
  timeoutMs: number;
  /** Stop after this many events (Infinity: until the signal). */
  count: number;
  signal: AbortSignal;
  print: (line: string) => void;
  /** Lines for people about the watch itself (stderr): the bridge went away, came back. */
  warn: (line: string) => void;
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

export async function watchEvent(link: Transport, cellName: string, eventName: string, o: WatchOptions): Promise<void> {
  const def = await describeCell(link, cellName, o.timeoutMs);
  const info = memberNamed(def, eventName, "event");
  if (!info) {
    const events = Object.keys(def.info).filter((n) => def.info[n].def.kind === "event");
    throw new UsageError(`${cellName} has no event ${eventName} (it has: ${events.join(", ") || "none"})`);
  }
  const type = (info.def as EventDef).type;
  let client = connect(def, link, { codecs: HOST_CODECS, timeoutMs: o.timeoutMs });
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
  // A bridge that restarts forgets its subscribers: follow it and subscribe again (bridge-follow.ts).
  // Meanwhile a UDP link reports the bridge's absence as errors (ECONNREFUSED): they no longer end the watch.
  let away = false;
  const awayOnce = (why: string) => {
    if (away) return;
    away = true;
    o.warn(`cell watch: the bridge ${why}; waiting for it to come back`);
  };
  link.onError(() => awayOnce("does not answer"));
  const follow = followBridge(link, Math.min(2000, o.timeoutMs), {
    restarted(instanceId) {
      away = false;
      client.close();
      client = connect(def, link, { codecs: HOST_CODECS, timeoutMs: o.timeoutMs });
      client.on(eventName as never, listener, (err) => {
        if (err) {
          o.warn(`cell watch: ${cellName}.${eventName}: subscribing again failed (${err.message}); trying again`);
          follow.forget(); // the next answer to a query counts as a restart again
        } else o.warn(`cell watch: the bridge restarted (instance ${hex(instanceId)}); subscribed again to ${cellName}.${eventName}`);
      });
    },
    gone() {
      awayOnce("said goodbye");
    }
  });
  await done;
  follow.stop();
  client.close(); // unsubscribes: the bridge stops relaying to us, and the device stops when nobody is left
  // Give the unsubscribe a moment to leave before the link is closed under it.
  await new Promise((r) => setTimeout(r, 20));
  if (lost && !o.signal.aborted && seen < o.count) throw lost;
}
