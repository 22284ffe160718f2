/**
 * A bounded promise pool (kept local to the scripts so the benchmark does not
 * depend on the code it measures).
 *
 * @module
 */

/** Calls `fn` on every item with at most `jobs` calls in flight; rejects on the first failure. */
export async function pool<T>(items: T[], jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}
