// Momentum (target) networks, as solo-learn's MomentumUpdater: after optimisation step s
// (0-based) every target parameter becomes tau(s) * target + (1 - tau(s)) * online, where
// tau rises from `base` to `final` along a half cosine over the training steps:
//   tau(s) = final - (final - base) * (cos(pi * s / totalSteps) + 1) / 2.
import { axpby } from "../backend/fused-kernels.js";
import type { Momentum } from "../../ir/types.js";
import type { Tf } from "./tf.js";
import type { MomentumPair } from "./types.js";

export function tauAt(m: Momentum, step: number, totalSteps: number): number {
  if (totalSteps <= 0) return m.final;
  return m.final - ((m.final - m.base) * (Math.cos((Math.PI * step) / totalSteps) + 1)) / 2;
}

/** target <- tau * target + (1 - tau) * online, for every pair. */
export function emaUpdate(tf: Tf, pairs: readonly MomentumPair[], tau: number): void {
  for (const [online, target] of pairs) {
    const next = axpby(tf, target, online, tau, 1 - tau);
    target.assign(next);
    next.dispose();
  }
}

/** target <- online (start of training, as solo-learn's initialize_momentum_params). */
export function copyOnlineToTarget(tf: Tf, pairs: readonly MomentumPair[]): void {
  for (const [online, target] of pairs) {
    const next = tf.tidy(() => online.clone());
    target.assign(next);
    next.dispose();
  }
}
