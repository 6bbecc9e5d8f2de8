// The augmentation runtime's public surface (see docs/augmentation.md).

export { checkBatch, type ImageBatch } from "./batch.js";
export { planView, slicePlan, jitterRange, type BatchShape, type OpPlan, type ViewPlan } from "./plan.js";
export {
  augmentBatch,
  augmentViews,
  augmentViewsUint8,
  executePlan,
  executePlanUint8,
  planViews,
  viewOutputLength,
} from "./pipeline.js";
export { AugmentPool, AugmentWorker } from "./worker.js";
export { previewRows, renderPreviewGrid, type PreviewImage, type PreviewOptions, type PreviewRow } from "./preview.js";
