// IR fixtures for the data tests: a source declaration and a whole pipeline with
// sensible CIFAR-style defaults, overridable per test.

import type { DataSourceIR, InflationEntryIR, PipelineIR } from "../../src/ir/types.js";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";

export function sourceIR(over: Partial<DataSourceIR> & Pick<DataSourceIR, "name" | "format">): DataSourceIR {
  return {
    path: null,
    split: null,
    origin: "real",
    size: null,
    shape: [32, 32, 3],
    classes: null,
    layout: "nhwc",
    channelOrder: null,
    fid: null,
    standIn: false,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    ...over,
  };
}

export function writeNpz(file: string, pixels: Uint8Array, count: number, shape: [number, number, number], labels?: number[]): void {
  const w = NpzImageWriter.create(file, { count, shape, ...(labels ? { labels } : {}) });
  w.append(pixels);
  w.finish();
}

export function pipelineIR(sources: DataSourceIR[], train: InflationEntryIR[], options: { crop?: number; eval?: string | null } = {}): PipelineIR {
  const crop = options.crop ?? 32;
  const ops = [
    {
      op: "random_resized_crop" as const,
      size: crop,
      scale: [0.2, 1] as [number, number],
      ratio: [0.75, 4 / 3] as [number, number],
      interpolation: "bicubic" as const,
    },
    { op: "normalize" as const, mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] },
  ];
  return {
    version: 1,
    name: "fixture",
    file: "fixture.adainf",
    seed: 1,
    data: { sources, train, eval: options.eval ?? null },
    augment: {
      preset: null,
      strength: 1,
      symmetric: true,
      views: [
        { name: "view1", ops },
        { name: "view2", ops },
      ],
    },
    model: {
      backbone: { name: "convnet", channels: [8, 16], featureDim: 32, batchNorm: true },
      method: { name: "simclr", projHiddenDim: 64, projOutputDim: 32, temperature: 0.2 },
    },
    train: {
      batchSize: 16,
      devices: 1,
      batchPerDevice: 16,
      lrScaling: { rule: "none", factor: 1 },
      steps: 10,
      optimizer: { name: "sgd", lr: 0.1, weightDecay: 0, momentum: 0.9 },
      schedule: { name: "constant" },
      epochSize: null,
    },
    evaluate: { onlineLinear: null, knn: null, linearProbe: null },
    output: { dir: "runs/fixture", checkpointEvery: null, keep: 1 },
    lint: { rules: {} },
  };
}
