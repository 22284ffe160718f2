/**
 * "Did you mean …?" suggestions, using the same idea as Python's difflib
 * close-match (ratio ≥ 0.6) so behaviour matches the original's hints.
 *
 * @module
 */

/** Similarity ratio in [0, 1] based on the longest-common-subsequence length. */
export function similarity(a: string, b: string): number {
  if (!a.length && !b.length) return 1;
  const m = a.length, n = b.length;
  let prev = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1).fill(0);
    for (let j = 1; j <= n; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    prev = cur;
  }
  return (2 * prev[n]) / (m + n);
}

/** Best close match for `word` among `candidates`, or undefined when none is close enough. */
export function closestMatch(word: string, candidates: Iterable<string>, cutoff = 0.6): string | undefined {
  let best: string | undefined;
  let bestScore = cutoff;
  const lw = word.toLowerCase();
  for (const c of candidates) {
    const s = similarity(lw, c.toLowerCase());
    if (s >= bestScore && (best === undefined || s > bestScore)) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

/** `; did you mean 'x'?` or empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const m = closestMatch(word, candidates);
  return m ? `; did you mean '${m}'?` : "";
}
