// The median the benchmarks report (the mean of the two middle values for an even count),
// defined once for bench/step.ts, bench/host-step.ts and bench/lint.ts.
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
