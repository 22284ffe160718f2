/**
 * Where a fresh update's time goes, per package: the update's reporter marks
 * when each package starts and finishes landing, git's trace marks its
 * processes, and the gaps between them are ivpm's own work (fs calls, process
 * spawn latency, JS).
 *
 * @module
 */

import type { UpdateReporter } from "../../core/update/update.ts";
import type { GitProcess, GitTrace } from "./git_trace.ts";

/** Epoch ms (fractional) now. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/** When each package started and finished landing (epoch ms). */
export type Landings = Map<string, { start: number; done?: number }>;

/** A reporter that records {@link Landings}. */
export function recordLandings(): { reporter: UpdateReporter; landings: Landings } {
  const landings: Landings = new Map();
  return {
    landings,
    reporter: {
      start: (pkg) => landings.set(pkg.name, { start: now() }),
      done: (pkg) => {
        const l = landings.get(pkg.name);
        if (l) l.done = now();
      },
    },
  };
}

/** Runs `fn` and returns its [start, end] in epoch ms. */
export async function span(fn: () => Promise<void>): Promise<[number, number]> {
  const t0 = now();
  await fn();
  return [t0, now()];
}

/** The package a git process worked for, from the staging path in its arguments or work tree. */
function packageOf(p: GitProcess): string | undefined {
  const m = /\.ivpm-staging\/(.+?)-\d+\/repo/.exec([...p.argv, p.worktree ?? ""].join(" "));
  return m?.[1];
}

/** Prints the per-package breakdown of a traced fresh update. */
export function describeTimeline(
  landings: Landings,
  trace: GitTrace,
  [t0, t1]: [number, number],
  jobs: number,
): string {
  const procs = new Map<string, GitProcess[]>();
  for (const p of trace.processes) {
    const name = packageOf(p);
    if (name) procs.set(name, [...(procs.get(name) ?? []), p]);
  }
  let pre = 0, git = 0, between = 0, post = 0, inLand = 0, n = 0;
  let firstStart = Infinity, lastDone = 0;
  for (const [name, l] of landings) {
    if (l.done === undefined) continue;
    const ps = procs.get(name) ?? [];
    n++;
    inLand += l.done - l.start;
    firstStart = Math.min(firstStart, l.start);
    lastDone = Math.max(lastDone, l.done);
    if (ps.length === 0) continue;
    pre += ps[0].start - l.start;
    post += l.done - ps[ps.length - 1].end;
    for (let i = 0; i < ps.length; i++) {
      git += ps[i].end - ps[i].start;
      if (i > 0) between += ps[i].start - ps[i - 1].end;
    }
  }
  if (n === 0) return "  (no packages landed)";
  const avg = (x: number) => (x / n).toFixed(1);
  // Negative when more than `jobs` packages were landing at once (the job limit was exceeded).
  const middleSlots = jobs * (lastDone - firstStart) - inLand;
  return [
    `  per package (ms): before first git ${avg(pre)} | in git ${avg(git)} | between git calls ${
      avg(between)
    }` +
    ` | after last git ${avg(post)} | whole landing ${avg(inLand)}`,
    `  run: prologue (config, lock, mkdir) ${(firstStart - t0).toFixed(0)} ms, epilogue (lock/state write) ` +
    `${(t1 - lastDone).toFixed(0)} ms; slot time not landing a package ${avg(middleSlots)} ms/pkg ` +
    `(sub-config reads, resolver, idle slots while nested packages wait for their parent)`,
  ].join("\n");
}
