// Views -> solo-learn's augmentation list. Identical views become one entry with
// num_crops = the number of views (how solo-learn spells a symmetric preset); different
// views one entry each with num_crops 1. An op a view does not have is written with
// probability 0 (solo-learn then skips it), which is the same augmentation.
import type { AugmentIR, DataSourceIR, ViewIR } from "../../ir/types.js";
import type { SoloAugmentation } from "./config.js";
import { cropSize } from "./expressible.js";

export function soloAugmentations(augment: AugmentIR, real: DataSourceIR): SoloAugmentation[] {
  const views = augment.views;
  const same = views.every((v) => JSON.stringify(v.ops) === JSON.stringify(views[0]!.ops));
  if (same) return [entry(views[0]!, real, views.length)];
  return views.map((v) => entry(v, real, 1));
}

function entry(v: ViewIR, real: DataSourceIR, numCrops: number): SoloAugmentation {
  const find = <K extends ViewIR["ops"][number]["op"]>(op: K) => v.ops.find((o) => o.op === op) as Extract<ViewIR["ops"][number], { op: K }> | undefined;
  const rrc = find("random_resized_crop");
  const cj = find("color_jitter");
  return {
    rrc: { enabled: rrc !== undefined, crop_min_scale: rrc?.scale[0] ?? 0.08, crop_max_scale: rrc?.scale[1] ?? 1.0 },
    color_jitter: { prob: cj?.p ?? 0, brightness: cj?.brightness ?? 0, contrast: cj?.contrast ?? 0, saturation: cj?.saturation ?? 0, hue: cj?.hue ?? 0 },
    grayscale: { prob: find("grayscale")?.p ?? 0 },
    gaussian_blur: { prob: find("gaussian_blur")?.p ?? 0 },
    solarization: { prob: find("solarize")?.p ?? 0 },
    equalization: { prob: find("equalize")?.p ?? 0 },
    horizontal_flip: { prob: find("horizontal_flip")?.p ?? 0 },
    crop_size: cropSize(v, real),
    num_crops: numCrops,
  };
}
