// Messages between AugmentWorker (training thread) and worker-entry (augmentation
// thread). Plans and pixels are typed arrays, so structured clone carries them and
// results come back as transferred buffers (no copy).

import type { ImageBatch } from "./batch.js";
import type { ViewPlan } from "./plan.js";

export interface AugmentRequest {
  id: number;
  batch: ImageBatch;
  plans: ViewPlan[];
}

/** `ms`: how long the thread spent making the outputs (its busy time, not the round trip). */
export type AugmentResponse = { id: number; outputs: Float32Array[]; ms: number } | { id: number; error: string };
