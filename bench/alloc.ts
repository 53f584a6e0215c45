// Heap bytes a hot path allocates per call: a full GC, N calls, the growth of the used heap over N.
// N is kept small enough that no scavenge runs in between (young space is megabytes: N x a few hundred
// bytes fits), so a path that allocates nothing shows ~0 and one that makes a view or an object per call shows its size.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export function bytesPerCall(fn: () => void, n = 20000): number {
  // Warm, so the JIT's own allocations (feedback, optimised code) and lazily built tables are done;
  // the least of three rounds, so a late recompilation in one round does not count as the path's.
  for (let i = 0; i < n; i++) fn();
  let least = Infinity;
  for (let r = 0; r < 3; r++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) fn();
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  return Math.max(0, least / n);
}
