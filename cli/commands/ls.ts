import { defineCommand, flag, option, ms } from "../args";
import { remote } from "../../core/host/remote";
import { Bridge } from "../../host-bridge/bridge-cell";
import type { CellRowValue } from "../../host-bridge/bridge-cell";
import { hexId as hex } from "../../core/hex";
import { ExitCode } from "../exit-codes";
import { withTarget, TARGET_OPTIONS } from "../bridge/links";
import { failure } from "../bridge/errors";

function table(rows: CellRowValue[]): string {
  const head = ["CELL", "ID", "SCHEMA", "INSTANCE", "LINK", "HEARD", "TTL", "IN FLIGHT"];
  const lines = rows.map((r) => [
    r.name,
    hex(r.cellId),
    hex(r.schemaHash),
    hex(r.instanceId),
    r.link + (r.peer ? " " + r.peer : ""),
    `${(r.lastHeardMsAgo / 1000).toFixed(1)} s ago`,
    `${r.ttlMs} ms`,
    String(r.inFlight)
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [head, ...lines]
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd()
    )
    .join("\n");
}

export const command = defineCommand({
  name: "ls",
  summary: "list the cells and instances in reach of a bridge",
  about: `One line per instance: name, cell id, schema hash, instance id, the bridge's link to it, when it
was last heard, its TTL and the requests in flight to it.`,
  options: {
    ...TARGET_OPTIONS,
    json: flag("one JSON object per instance instead of a table"),
    timeout: option({ value: "ms", help: "how long to wait for the bridge", default: "5000", parse: ms })
  },
  async run(o) {
    const timeoutMs = o.timeout;
    return withTarget(o, async (link) => {
      const bridge = remote(Bridge, link, { timeoutMs });
      const rows: CellRowValue[] = [];
      let instanceId = 0;
      try {
        // Page by page: a long listing does not fit one datagram.
        for (let total = Infinity; rows.length < total;) {
          const page = await bridge.cells({ skip: rows.length });
          total = page.total;
          instanceId = page.instanceId;
          if (page.cells.length === 0) break;
          rows.push(...page.cells);
        }
      } catch (e) {
        throw failure("bridge.cells", e);
      }
      if (o.json) for (const r of rows) console.log(JSON.stringify(r));
      else {
        console.log(`bridge ${hex(instanceId)}: ${rows.length} instance${rows.length === 1 ? "" : "s"}`);
        if (rows.length) console.log(table(rows));
      }
      return ExitCode.Ok;
    });
  }
});
