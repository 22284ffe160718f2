/**
 * A bounded promise pool: run `fn` over items with at most `jobs` at once,
 * keeping results in input order.
 *
 * @module
 */

/** Maps `items` through `fn` with at most `jobs` calls in flight. */
export async function mapPool<T, R>(
  items: T[],
  jobs: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return out;
}
