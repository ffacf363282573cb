/** Suggesting names for a misspelt reference: a few near ones, never the whole list (it was 2.9 KB on one line). */

/** Levenshtein distance (small strings: branch names). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The `limit` names nearest to `ref`: names containing it (or in it) first, then by edit distance, then by name. */
export function nearestNames(ref: string, names: string[], limit = 5): string[] {
  const lower = ref.toLowerCase();
  const score = (name: string) => {
    const n = name.toLowerCase();
    return (n.includes(lower) || lower.includes(n) ? 0 : 1000) + distance(lower, n);
  };
  return [...new Set(names)]
    .map((n) => ({ n, s: score(n) }))
    .sort((x, y) => x.s - y.s || x.n.localeCompare(y.n))
    .slice(0, limit)
    .map((x) => x.n);
}
