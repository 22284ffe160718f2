/**
 * Small statistics for the benchmarks: medians and paired ratios.
 *
 * @module
 */

/** Median of `xs` (the mean of the middle two for an even count); NaN when empty. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Median of the pairwise ratios `a[i] / b[i]`: the two sides were run in turn, so each pair saw the
 * same machine load, and the ratio stays meaningful when the machine's speed drifts during the run.
 */
export function pairedRatio(a: number[], b: number[]): number {
  return median(a.map((x, i) => x / b[i]));
}

/** Runs `fn` and returns its wall time in ms with its value. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * Runs the cases in turn, `reps` times (A B C A B C …), and returns each case's samples: interleaving
 * makes a change in the machine's load hit every case alike.
 */
export async function interleaved(reps: number, cases: (() => Promise<number>)[]): Promise<number[][]> {
  const out = cases.map((): number[] => []);
  for (let i = 0; i < reps; i++) {
    for (const [k, f] of cases.entries()) out[k].push(await f());
  }
  return out;
}
