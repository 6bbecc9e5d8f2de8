// "Did you mean ...?" for unknown names: the closest candidate by edit distance,
// if it is close enough to be a plausible typo.

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
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

export function closest(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  const limit = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : null;
}

/** ` (did you mean 'x'?)` or a list of what is allowed when there are few choices. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const c = closest(name, candidates);
  if (c) return `did you mean '${c}'?`;
  if (candidates.length <= 8) return `expected one of: ${candidates.join(", ")}`;
  return "";
}
