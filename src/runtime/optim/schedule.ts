// Learning-rate schedules, as functions of the 0-based step.
//
// warmup_cosine is solo-learn's LinearWarmupCosineAnnealingLR (PyTorch Lightning Bolts)
// stepped once per optimisation step, in closed form, with W = warmupSteps and
// S = totalSteps:
//   step < W:  warmupStartLr + step * (lr - warmupStartLr) / max(1, W - 1)
//   else:      minLr + (lr - minLr) * (1 + cos(pi * (step - W) / (S - W))) / 2
// so the warm-up reaches lr at step W - 1 and the cosine reaches minLr at step S (one
// past the last step, which trains at a hair above minLr), as the reference.
import type { ScheduleIR } from "../../ir/types.js";

export function learningRateAt(schedule: ScheduleIR, baseLr: number, step: number, totalSteps: number): number {
  if (schedule.name === "constant") return baseLr;
  const { warmupSteps: w, warmupStartLr, minLr } = schedule;
  // With no warm-up the reference starts at lr itself (warmup_start_lr is ignored).
  if (step < w) return warmupStartLr + (step * (baseLr - warmupStartLr)) / Math.max(1, w - 1);
  const span = totalSteps - w;
  if (span <= 0) return minLr;
  const progress = Math.min(step - w, span) / span;
  return minLr + ((baseLr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
}
