// ESLint's RuleTester, in small: every rule has cases where it must fire and cases where
// it must stay quiet; each case runs that rule alone.
import { describe, expect, it } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { lintWithSizes } from "../../src/lint/engine.js";
import { ALL_RULES, findRule } from "../../src/lint/rules/index.js";
import { cifar10, generatedNpz, paperPipeline, presetAugment, variant } from "./fixtures.js";

interface Case {
  name: string;
  ir: PipelineIR;
  /** Substring the message must contain (only for firing cases). */
  message?: string;
}

const simclr = (mode: "none" | "vanilla" | "adainf") => paperPipeline("simclr", mode);
const setGenerated = (p: PipelineIR, patch: Partial<ReturnType<typeof generatedNpz>>) =>
  Object.assign(p.data.sources.find((s) => s.name === "generated")!, patch);
const mnistSource = () => ({ ...cifar10("real", "train"), format: "mnist" as const, path: null, size: 60_000, shape: [28, 28, 1] as [number, number, number] });

const CASES: Record<string, { fires: Case[]; quiet: Case[] }> = {
  "vanilla-inflation": {
    fires: [{ name: "vanilla", ir: simclr("vanilla"), message: "95.2%" }],
    quiet: [
      { name: "adainf", ir: simclr("adainf") },
      { name: "none", ir: simclr("none") },
      { name: "small generated set (g < 0.5)", ir: variant(simclr("vanilla"), (p) => setGenerated(p, { size: 40_000 })) },
    ],
  },
  balance: {
    fires: [
      { name: "vanilla: strong augmentation with strong inflation", ir: simclr("vanilla"), message: "well above" },
      { name: "byol vanilla", ir: paperPipeline("byol", "vanilla"), message: "well above" },
      { name: "_adainf preset without inflation", ir: variant(simclr("none"), (p) => (p.augment = presetAugment("symmetric_adainf"))), message: "well below" },
    ],
    quiet: [
      { name: "none", ir: simclr("none") },
      { name: "adainf", ir: simclr("adainf") },
      { name: "barlow adainf", ir: paperPipeline("barlow", "adainf") },
      { name: "weak preset without inflation (within tolerance)", ir: variant(simclr("none"), (p) => (p.augment = presetAugment("symmetric_weak"))) },
      { name: "unknown g", ir: variant(simclr("vanilla"), (p) => setGenerated(p, { size: null })) },
    ],
  },
  "dup-augment": {
    fires: [{ name: "dup 10 with symmetric", ir: variant(simclr("adainf"), (p) => (p.augment = presetAugment("symmetric"))), message: "replicated 10x" }],
    quiet: [
      { name: "adainf", ir: simclr("adainf") },
      { name: "vanilla (dup 1)", ir: simclr("vanilla") },
      { name: "dup 10 without generated data", ir: variant(simclr("none"), (p) => (p.data.train[0]!.replicate = 10)) },
    ],
  },
  "dup-without-generated": {
    fires: [{ name: "real x 10 alone", ir: variant(simclr("none"), (p) => (p.data.train[0]!.replicate = 10)), message: "lengthens the epoch" }],
    quiet: [
      { name: "adainf", ir: simclr("adainf") },
      { name: "none", ir: simclr("none") },
    ],
  },
  "method-augment": {
    fires: [
      { name: "byol with symmetric views", ir: variant(paperPipeline("byol", "none"), (p) => (p.augment = presetAugment("symmetric"))), message: "BYOL" },
      { name: "simclr with asymmetric views", ir: variant(simclr("adainf"), (p) => (p.augment = presetAugment("asymmetric_adainf"))), message: "SimCLR" },
    ],
    quiet: [
      { name: "simclr symmetric", ir: simclr("none") },
      { name: "barlow asymmetric", ir: paperPipeline("barlow", "adainf") },
      { name: "mocov2plus symmetric", ir: paperPipeline("mocov2plus", "vanilla") },
    ],
  },
  "generated-quality": {
    fires: [
      { name: "unknown FID, g = 0.667", ir: variant(simclr("adainf"), (p) => setGenerated(p, { fid: null })), message: "not declared" },
      { name: "FID 18.27, g = 0.909", ir: variant(simclr("adainf"), (p) => setGenerated(p, { fid: 18.27, size: 5_000_000 })), message: "FID 18.27" },
    ],
    quiet: [
      { name: "FID 1.94", ir: simclr("adainf") },
      { name: "unknown FID but g < 0.5", ir: variant(simclr("adainf"), (p) => setGenerated(p, { fid: null, size: 300_000 })) },
    ],
  },
  "data-scarce": {
    fires: [
      {
        name: "5k real + 500k generated, dup 1",
        ir: variant(simclr("vanilla"), (p) => {
          p.data.sources[0]!.size = 5_000;
          setGenerated(p, { size: 500_000 });
        }),
        message: "5,000 real images",
      },
    ],
    quiet: [
      {
        name: "5k real + 500k generated, dup 10 (AdaInf)",
        ir: variant(simclr("adainf"), (p) => {
          p.data.sources[0]!.size = 5_000;
          setGenerated(p, { size: 500_000 });
        }),
      },
      { name: "5k real, no generated data", ir: variant(simclr("none"), (p) => (p.data.sources[0]!.size = 5_000)) },
      { name: "50k real vanilla", ir: simclr("vanilla") },
    ],
  },
  "channel-order": {
    fires: [{ name: "npz without channel order", ir: variant(simclr("adainf"), (p) => setGenerated(p, { channelOrder: null })), message: "BGR" }],
    quiet: [
      { name: "declared bgr", ir: simclr("adainf") },
      { name: "cifar10 source (order known)", ir: variant(simclr("none"), (p) => (p.data.sources[0]!.channelOrder = null)) },
      { name: "npz not used", ir: variant(simclr("none"), (p) => p.data.sources.push({ ...generatedNpz(), channelOrder: null })) },
    ],
  },
  "generated-eval": {
    fires: [
      { name: "eval on generated", ir: variant(simclr("vanilla"), (p) => (p.data.eval = "generated")), message: "-1" },
      { name: "eval on an unlabelled source", ir: variant(simclr("none"), (p) => (p.data.sources[1]!.classes = null)), message: "no labels" },
      {
        name: "eval on a real npz that declares no classes (its file may hold labels)",
        ir: variant(simclr("none"), (p) => {
          p.data.sources.push({ ...generatedNpz(), name: "held", origin: "real", classes: null });
          p.data.eval = "held";
        }),
        message: "declares no classes: an npz's labels are used only with classes = N",
      },
    ],
    quiet: [
      { name: "eval on cifar10 test", ir: simclr("vanilla") },
      {
        name: "generated eval source but no evaluation",
        ir: variant(simclr("vanilla"), (p) => {
          p.data.eval = "generated";
          p.evaluate.onlineLinear = null;
        }),
      },
    ],
  },
  "noop-ops": {
    fires: [
      {
        name: "mnist with the symmetric preset",
        ir: variant(simclr("none"), (p) => (p.data.sources[0] = mnistSource())),
        message: "single-channel",
      },
    ],
    quiet: [
      { name: "cifar10", ir: simclr("none") },
      {
        name: "mnist with brightness/contrast only",
        ir: variant(simclr("none"), (p) => {
          p.data.sources[0] = mnistSource();
          for (const v of p.augment.views)
            for (const o of v.ops) {
              if (o.op === "color_jitter") o.saturation = o.hue = 0;
              if (o.op === "grayscale") o.p = 0;
            }
        }),
      },
    ],
  },
  schedule: {
    fires: [
      { name: "warm-up as long as training", ir: variant(simclr("none"), (p) => (p.train.steps = 1950)), message: "warm-up" },
      {
        name: "eval interval longer than training",
        ir: variant(simclr("none"), (p) => {
          p.train.steps = 150;
          p.train.schedule = { name: "constant" };
          p.output.checkpointEvery = null;
        }),
        message: "never runs",
      },
      {
        name: "checkpoint never reached",
        ir: variant(simclr("none"), (p) => (p.output.checkpointEvery = 200_000)),
        message: "never reached",
      },
      {
        name: "kNN interval longer than training",
        ir: variant(simclr("none"), (p) => (p.evaluate.knn = { k: 200, temperature: 0.1, distance: "cosine", every: 500_000 })),
        message: "kNN",
      },
    ],
    quiet: [
      { name: "paper schedule", ir: simclr("none") },
      { name: "kNN only at the end", ir: variant(simclr("none"), (p) => (p.evaluate.knn = { k: 200, temperature: 0.1, distance: "cosine", every: null })) },
    ],
  },
  "batch-size": {
    fires: [{ name: "batch > epoch", ir: variant(simclr("none"), (p) => (p.data.sources[0]!.size = 100)), message: "larger than" }],
    quiet: [
      { name: "paper", ir: simclr("vanilla") },
      { name: "size unknown", ir: variant(simclr("vanilla"), (p) => setGenerated(p, { size: null })) },
    ],
  },
  "moco-queue": {
    fires: [
      {
        name: "queue not a multiple of the batch",
        ir: variant(paperPipeline("mocov2plus", "none"), (p) => ((p.model.method as { queueSize: number }).queueSize = 30_000)),
        message: "multiple",
      },
      {
        name: "queue longer than an epoch",
        ir: variant(paperPipeline("mocov2plus", "none"), (p) => (p.data.sources[0]!.size = 20_000)),
        message: "longer than an epoch",
      },
    ],
    quiet: [
      { name: "paper MoCo", ir: paperPipeline("mocov2plus", "adainf") },
      { name: "not MoCo", ir: variant(simclr("none"), (p) => (p.data.sources[0]!.size = 20_000)) },
    ],
  },
  "online-labels": {
    fires: [
      {
        name: "only generated data in training",
        ir: variant(simclr("vanilla"), (p) => (p.data.train = [{ source: "generated", replicate: 1 }])),
        message: "never sees a label",
      },
    ],
    quiet: [
      { name: "real labelled data present", ir: simclr("vanilla") },
      {
        name: "no online probe",
        ir: variant(simclr("vanilla"), (p) => {
          p.data.train = [{ source: "generated", replicate: 1 }];
          p.evaluate.onlineLinear = null;
        }),
      },
    ],
  },
  "eval-on-train": {
    fires: [
      { name: "eval names the training source", ir: variant(simclr("none"), (p) => (p.data.eval = "real")), message: "training" },
      { name: "eval reads the train split", ir: variant(simclr("none"), (p) => (p.data.sources[1]!.split = "train")), message: "split train" },
    ],
    quiet: [{ name: "test split", ir: simclr("none") }],
  },
  "unknown-size": {
    fires: [{ name: "generated size unknown", ir: variant(simclr("vanilla"), (p) => setGenerated(p, { size: null })), message: "'generated'" }],
    quiet: [
      { name: "sizes known", ir: simclr("vanilla") },
      { name: "unknown size of a source not in training", ir: variant(simclr("none"), (p) => p.data.sources.push({ ...generatedNpz(null), name: "spare" })) },
    ],
  },
};

function run(id: string, ir: PipelineIR) {
  return lintWithSizes({ ir, spans: {} }, {}, { ruleSet: [findRule(id)!] }).diagnostics;
}

describe("every rule", () => {
  it("has firing and quiet cases", () => {
    for (const r of ALL_RULES) {
      expect(CASES[r.meta.id], r.meta.id).toBeDefined();
      expect(CASES[r.meta.id]!.fires.length, r.meta.id).toBeGreaterThan(0);
      expect(CASES[r.meta.id]!.quiet.length, r.meta.id).toBeGreaterThan(0);
    }
  });
});

for (const [id, { fires, quiet }] of Object.entries(CASES)) {
  describe(`rule ${id}`, () => {
    for (const c of fires) {
      it(`fires: ${c.name}`, () => {
        const ds = run(id, c.ir);
        expect(ds.length).toBeGreaterThan(0);
        expect(ds.every((d) => d.code === id)).toBe(true);
        if (c.message) expect(ds.map((d) => d.message).join("\n")).toContain(c.message);
      });
    }
    for (const c of quiet) {
      it(`stays quiet: ${c.name}`, () => {
        expect(run(id, c.ir)).toEqual([]);
      });
    }
  });
}
