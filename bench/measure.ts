// Side-by-side timing: a baseline and a candidate run in alternating rounds in the same process, so
// machine load hits both alike; the figure that matters is their ratio, not the absolute time. The ratio
// is the median of each round's own ratio (two runs ~20 ms apart), so load that comes and goes between
// rounds cancels out instead of landing on one side.

export interface Pair {
  name: string;
  baseline: { name: string; fn: () => void };
  candidate: { name: string; fn: () => void };
  /** The candidate/baseline time ratio it should stay within (or reach, with `atLeast` for speed-ups). */
  goal?: { ratio: number; kind: "atMost" | "atLeast"; of: "time" | "speedup" };
}

export interface Result {
  name: string;
  baselineNs: number;
  candidateNs: number;
  ratio: number; // candidate time / baseline time
  met?: boolean;
}

function nsPerOp(fn: () => void, ops: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) fn();
  return Number(process.hrtime.bigint() - t0) / ops;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Enough ops per round for ~20 ms, rounds alternating; medians of each side and of the round ratios. */
export function measure(p: Pair, rounds = 21): Result {
  // Warm up both JITs.
  for (let i = 0; i < 2000; i++) {
    p.baseline.fn();
    p.candidate.fn();
  }
  const probe = Math.max(nsPerOp(p.baseline.fn, 2000), nsPerOp(p.candidate.fn, 2000), 1);
  const ops = Math.max(100, Math.floor(20e6 / probe));
  const b: number[] = [];
  const c: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which side goes first, so neither always runs on the other's warm caches.
    const first = r & 1 ? p.candidate.fn : p.baseline.fn;
    const second = r & 1 ? p.baseline.fn : p.candidate.fn;
    const t1 = nsPerOp(first, ops);
    const t2 = nsPerOp(second, ops);
    b.push(r & 1 ? t2 : t1);
    c.push(r & 1 ? t1 : t2);
    ratios.push(c[r] / b[r]);
  }
  const res: Result = { name: p.name, baselineNs: median(b), candidateNs: median(c), ratio: median(ratios) };
  if (p.goal) {
    const value = p.goal.of === "speedup" ? 1 / res.ratio : res.ratio;
    res.met = p.goal.kind === "atMost" ? value <= p.goal.ratio : value >= p.goal.ratio;
  }
  return res;
}

/** One figure for the JSON report (`npm run bench -- --json FILE`): a ratio against its baseline and its goal. */
export interface Figure {
  section?: string;
  name: string;
  baseline: string;
  candidate: string;
  /** candidate / baseline: a time ratio, or a speed-up (baseline / candidate time) where `of` says so. */
  ratio: number;
  of: "time" | "speedup" | "share" | "size";
  goal?: { kind: "atMost" | "atLeast"; ratio: number };
  met?: boolean;
  /** The measured values behind the ratio (ns per op, instructions, bytes...). */
  values?: Record<string, number>;
}

/** Every figure reported so far in this process; bench/run.ts writes them as JSON. */
export var figures: Figure[] = [];

export function record(f: Figure): void {
  if (f.goal && f.met === undefined) f.met = f.goal.kind === "atMost" ? f.ratio <= f.goal.ratio : f.ratio >= f.goal.ratio;
  figures.push(f);
}

export function report(p: Pair, r: Result): string {
  record({
    name: p.name,
    baseline: p.baseline.name,
    candidate: p.candidate.name,
    ratio: p.goal?.of === "speedup" ? 1 / r.ratio : r.ratio,
    of: p.goal?.of === "speedup" ? "speedup" : "time",
    goal: p.goal && { kind: p.goal.kind, ratio: p.goal.ratio },
    met: r.met,
    values: { baselineNs: r.baselineNs, candidateNs: r.candidateNs }
  });
  const ns = (v: number) => (v < 1000 ? v.toFixed(0) + " ns" : (v / 1000).toFixed(2) + " µs");
  const goal = p.goal
    ? `  goal: ${p.goal.of === "speedup" ? "speed-up" : "time ratio"} ${p.goal.kind === "atMost" ? "≤" : "≥"} ${p.goal.ratio}x → ${r.met ? "met" : "MISSED"}`
    : "";
  const fig = p.goal?.of === "speedup" ? `${(1 / r.ratio).toFixed(2)}x faster` : `${r.ratio.toFixed(2)}x the time`;
  return `${p.name}\n  ${p.baseline.name}: ${ns(r.baselineNs)}/op   ${p.candidate.name}: ${ns(r.candidateNs)}/op   → ${fig}${goal}`;
}
