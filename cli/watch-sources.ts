// `--watch` of cell build and cell sim: the cell's folder watched (and the folders in it), a burst of changes (an
// editor's save is several events) run as one `onChange` after a short quiet time, never two at once.
import { watch, readdirSync, statSync, type FSWatcher } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** How long the folder must be quiet before a change is acted on. */
const QUIET_MS = 200;
const SOURCE = /\.(ts|js|mjs|cjs|json)$/;
const SKIP = /(^|[/\\])(node_modules|build|\.git)([/\\]|$)/;

export interface SourceWatcher {
  close(): void;
}

/** The folder a cell module lives in (itself, when the entry is a folder). */
export function sourceFolder(entry: string): string {
  const path = resolve(entry);
  return statSync(path).isDirectory() ? path : dirname(path);
}

/** `dir` and the folders under it, but packages, build output and git's. */
function folders(dir: string): string[] {
  const sub = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !SKIP.test(d.name));
  return [dir, ...sub.flatMap((d) => folders(join(dir, d.name)))];
}

export function watchSources(entry: string, onChange: (files: string[]) => Promise<void>): SourceWatcher {
  const folder = sourceFolder(entry);
  let timer: NodeJS.Timeout | undefined;
  let changed = new Set<string>();
  let running: Promise<void> | null = null;
  const fire = () => {
    if (running) return; // the run in progress fires again when it ends
    const files = [...changed];
    changed = new Set();
    running = onChange(files).finally(() => {
      running = null;
      if (changed.size) timer = setTimeout(fire, QUIET_MS);
    });
  };
  // One plain watcher per folder: Node 20's recursive watch on Linux stops reporting after a while.
  const watchers: FSWatcher[] = folders(folder).map((dir) =>
    watch(dir, (_event, file) => {
      const name = file ? relative(folder, join(dir, String(file))) : "";
      if (name && (!SOURCE.test(name) || SKIP.test(name))) return;
      changed.add(name || relative(folder, dir) || ".");
      clearTimeout(timer);
      timer = setTimeout(fire, QUIET_MS);
    })
  );
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    }
  };
}

/** Resolves at the first SIGINT or SIGTERM (Ctrl-C), when a watching command stops with exit 0. */
export function untilSignal(onSignal?: (signal: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      onSignal?.(signal);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
