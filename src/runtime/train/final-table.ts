// The table printed after a run: the trained encoder next to the same encoder untrained
// (its initial, seeded weights), so a user sees what training bought; under it, how
// training was fed (input-meter.ts).
import type { RunSummary } from "../../formats/run-dir.js";
import { inputText } from "./input-meter.js";

const pct = (v: number | undefined): string => (v === undefined ? "-" : `${v.toFixed(1)}%`);

export function finalTable(s: RunSummary): string {
  const rows: [string, string, string, string][] = [["encoder", "kNN top-1", "linear probe top-1", "online linear top-1"]];
  if (s.untrained) rows.push(["untrained (initial weights)", pct(s.untrained.knn_acc1), pct(s.untrained.probe_acc1), "-"]);
  rows.push([`trained (${s.steps} step${s.steps === 1 ? "" : "s"})`, pct(s.final.knn_acc1), pct(s.final.probe_acc1), pct(s.final.val_acc1)]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const table = [line(rows[0]!), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)];
  return [...table, ...(s.input ? [inputText(s.input)] : [])].join("\n") + "\n";
}
