// The name diagnostics give a `--set` argument (`--set #2`): its spans point into the
// argument as typed, which is its source text (src/driver.ts). Outputs that want a
// file (SARIF, the language server) tell such a place from a file's by this name.

/** How diagnostics name the n-th (1-based) `--set` argument. */
export function setArgumentName(n: number): string {
  return `--set #${n}`;
}

/** n for a name setArgumentName(n) gives, else null (a file). */
export function setArgumentNumber(file: string): number | null {
  const m = /^--set #([1-9]\d*)$/.exec(file);
  return m ? Number(m[1]) : null;
}
