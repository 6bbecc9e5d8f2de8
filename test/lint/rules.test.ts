// ESLint's RuleTester, in small: every rule has cases where it must fire and cases where
// it must stay quiet; each case runs that rule alone.
import { describe, expect, it } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { scaleOp } from "../../src/ir/augment-strength.js";
import { lintWithSizes } from "../../src/lint/engine.js";
import { ALL_RULES, findRule } from "../../src/lint/rules/index.js";
import { SYMMETRIC } from "../reference-presets.js";
import { cifar10, generatedNpz, paperPipeline, presetAugment, variant, view } from "./fixtures.js";

interface Case {
  name: string;
  ir: PipelineIR;
  /** Substrings the messages must contain (only for firing cases). */
  message?: string | string[];
  /** Substrings no message may contain. */
  notMessage?: string[];
  /** Substrings the hints must contain, and ones no hint may contain. */
  hint?: string[];
  notHint?: string[];
}

const simclr = (mode: "none" | "vanilla" | "adainf") => paperPipeline("simclr", mode);
const setGenerated = (p: PipelineIR, patch: Partial<ReturnType<typeof generatedNpz>>) =>
  Object.assign(p.data.sources.find((s) => s.name === "generated")!, patch);
/** A preset at strength s, as the resolver scales it (`augment = name with { strength = s }`). */
const atStrength = (name: string, s: number) => {
  const aug = presetAugment(name);
  return { ...aug, strength: s, views: aug.views.map((v) => ({ ...v, ops: v.ops.map((o) => scaleOp(o, s)) })) };
};
/** stdlib's jitter_2: `symmetric` with twice its colour-jitter magnitudes (the paper's strongest sweep preset). */
const jitter2 = () => {
  const v = { ...SYMMETRIC, brightness: 1.6, contrast: 1.6, saturation: 1.6, hue: 0.4 };
  return { preset: "jitter_2", strength: 1, symmetric: true, views: [view("view1", v), view("view2", v)] };
};
/** The paper's data-scarce AdaInf (docs/paper.md §1): 5,000 real x 10 + 500,000 generated at FID 18.27, symmetric_adainf. */
const scarceAdainf = () =>
  variant(simclr("adainf"), (p) => {
    p.data.sources[0]!.size = 5_000;
    setGenerated(p, { size: 500_000, fid: 18.27 });
  });
/** x01: a 1M set at FID 1.94 beside a 10k set at FID `badFid`, real x `dup`. */
const mixedQuality = (badSize: number, badFid: number | null, dup = 10) =>
  variant(simclr("adainf"), (p) => {
    p.data.sources.push({ ...generatedNpz(badSize, badFid), name: "bad", path: "datasets/generated/bad.npz", channelOrder: "rgb" });
    p.data.train = [
      { source: "real", replicate: dup },
      { source: "generated", replicate: 1 },
      { source: "bad", replicate: 1 },
    ];
  });
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
      {
        name: "_adainf preset without inflation",
        ir: variant(simclr("none"), (p) => (p.augment = presetAugment("symmetric_adainf"))),
        message: ["well below", "without inflation"],
        hint: ["the symmetric preset has a = 1.00", "or inflate with generated data"],
      },
      {
        name: "vanilla: the hint names _adainf, and less generated data",
        ir: simclr("vanilla"),
        message: ["well above the 0.55 recommended", "strong inflation wants weaker augmentation"],
        hint: ["the symmetric_adainf preset has a = 0.55", "or use less generated data"],
      },
      {
        name: "c28: jitter_2 without generated data (g = 0): stronger than the default preset, not 'strong inflation'",
        ir: variant(simclr("none"), (p) => (p.augment = jitter2())),
        message: [
          "well above the 1.00 recommended at generated share g = 0.000",
          "stronger than the symmetric preset (a = 1.00), which the paper pairs with real data alone",
        ],
        notMessage: ["inflation wants"],
        // symmetric_adainf would trip the low side at g = 0; there is no generated data to cut.
        hint: ["use weaker augmentation: the symmetric preset has a = 1.00"],
        notHint: ["symmetric_adainf", "generated data"],
      },
      {
        name: "c26: symmetric at strength 0.5 with AdaInf (g = 0.667): weaker than recommended, not 'little inflation'",
        ir: variant(simclr("adainf"), (p) => (p.augment = atStrength("symmetric", 0.5))),
        message: ["well below the 0.55 recommended at generated share g = 0.667", "weaker than recommended for this share"],
        notMessage: ["little inflation", "without inflation"],
        // symmetric (a = 1.00) would trip the high side; no more generated data is asked for at g = 2/3.
        hint: ["use stronger augmentation: the symmetric_adainf preset has a = 0.55"],
        notHint: ["the symmetric preset", "generated data"],
      },
      {
        name: "the closest preset is the one in use (at another strength): weaken the augmentation itself",
        ir: variant(simclr("adainf"), (p) => (p.augment = atStrength("symmetric_adainf", 1.6))),
        message: "well above",
        hint: ["weaken the augmentation towards a = 0.55", "`strength`"],
        notHint: ["preset has"],
      },
    ],
    quiet: [
      { name: "none", ir: simclr("none") },
      { name: "adainf", ir: simclr("adainf") },
      { name: "barlow adainf", ir: paperPipeline("barlow", "adainf") },
      { name: "weak preset without inflation (within tolerance)", ir: variant(simclr("none"), (p) => (p.augment = presetAugment("symmetric_weak"))) },
      { name: "unknown g", ir: variant(simclr("vanilla"), (p) => setGenerated(p, { size: null })) },
      { name: "c18: the paper's data-scarce AdaInf (g = 0.909, symmetric_adainf)", ir: scarceAdainf() },
      {
        name: "c14: symmetric_adainf with vanilla inflation (g = 0.952: r stays at the _adainf preset)",
        ir: variant(simclr("vanilla"), (p) => (p.augment = presetAugment("symmetric_adainf"))),
      },
      {
        name: "c25: generated data only (g = 1) with symmetric_adainf",
        ir: variant(simclr("vanilla"), (p) => {
          p.data.train = [{ source: "generated", replicate: 1 }];
          p.augment = presetAugment("symmetric_adainf");
        }),
      },
      { name: "byol's data-scarce AdaInf with asymmetric_adainf", ir: variant(paperPipeline("byol", "adainf"), (p) => (p.data.sources[0]!.size = 5_000)) },
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
      {
        name: "FID 18.27 without re-weighting (real x 1), g = 0.952",
        ir: variant(simclr("vanilla"), (p) => setGenerated(p, { fid: 18.27 })),
        message: "'generated' has FID 18.27 (> 10) and makes up 0.952 of the mixture",
        hint: ["x 10", "FID 18.27"],
      },
      {
        name: "FID 25 even with real x 10 (above the paper's 18.27)",
        ir: variant(scarceAdainf(), (p) => setGenerated(p, { fid: 25 })),
        message: "FID 25 (> 18.27, the largest FID the paper shows helping with real data x 10) and makes up 0.909",
      },
      {
        name: "two low-quality sources, neither above half alone: each with its own share, and the sum",
        ir: variant(mixedQuality(1_000_000, null), (p) => setGenerated(p, { fid: 25 })),
        message: [
          "'generated' has FID 25 (> 18.27, the largest FID the paper shows helping with real data x 10) and makes up 0.400 of the mixture; low-quality generated sources together make up 0.800",
          "'bad' makes up 0.400 of the mixture but its FID is not declared; low-quality generated sources together make up 0.800",
        ],
      },
      {
        name: "a low-quality source of its own share above half",
        ir: variant(mixedQuality(1_000_000, 80), (p) => setGenerated(p, { size: 10_000 })),
        message: "'bad' has FID 80 (> 18.27, the largest FID the paper shows helping with real data x 10) and makes up 0.662 of the mixture",
        notMessage: ["together"],
      },
    ],
    quiet: [
      { name: "FID 1.94", ir: simclr("adainf") },
      { name: "unknown FID but g < 0.5", ir: variant(simclr("adainf"), (p) => setGenerated(p, { fid: null, size: 300_000 })) },
      { name: "c18: the paper's data-scarce AdaInf (FID 18.27, real x 10, g = 0.909)", ir: scarceAdainf() },
      { name: "x01: a 10k FID-80 set beside 1M at FID 1.94 (its own share 0.007, total generated 0.669)", ir: mixedQuality(10_000, 80) },
      { name: "x01 without re-weighting: still its own share only", ir: mixedQuality(10_000, 80, 1) },
      { name: "two low-quality sources together at most half", ir: variant(mixedQuality(250_000, null), (p) => setGenerated(p, { fid: 25, size: 250_000 })) },
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
        const messages = ds.map((d) => d.message).join("\n");
        const hints = ds.map((d) => d.hint ?? "").join("\n");
        for (const m of [c.message ?? []].flat()) expect(messages).toContain(m);
        for (const m of c.notMessage ?? []) expect(messages).not.toContain(m);
        for (const h of c.hint ?? []) expect(hints).toContain(h);
        for (const h of c.notHint ?? []) expect(hints).not.toContain(h);
      });
    }
    for (const c of quiet) {
      it(`stays quiet: ${c.name}`, () => {
        expect(run(id, c.ir)).toEqual([]);
      });
    }
  });
}
