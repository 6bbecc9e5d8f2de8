// "Did you mean ...?" for unknown names: the closest candidate by edit distance,
// if it is close enough to be a plausible typo. Edit distance is quadratic, so names
// longer than MAX_COMPARED get no suggestion (no typo of a real name is that long) and
// candidates whose length alone rules them out are skipped: linear in the input.

/** The longest name (and candidate) compared; every name of the language is far shorter. */
export const MAX_COMPARED = 64;

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
  if (name.length > MAX_COMPARED) return null;
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // The distance is at least the difference in length.
    if (c.length > MAX_COMPARED || Math.abs(c.length - name.length) > limit) continue;
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  return bestDistance <= limit ? best : null;
}

/** ` (did you mean 'x'?)`, a list of what is allowed when there are few choices, or "" (none at all, or many). */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const c = closest(name, candidates);
  if (c) return didYouMeanText(c);
  if (candidates.length > 0 && candidates.length <= 8) return `expected one of: ${candidates.join(", ")}`;
  return "";
}

function didYouMeanText(name: string): string {
  return `did you mean '${name}'?`;
}

/**
 * The name a hint made by didYouMean suggests, or null when it suggests none: what the
 * language server's "change to ..." code action offers.
 */
export function suggestedName(hint: string | undefined): string | null {
  const m = hint === undefined ? null : /^did you mean '([^']+)'\?$/.exec(hint);
  return m && didYouMeanText(m[1]!) === hint ? m[1]! : null;
}
