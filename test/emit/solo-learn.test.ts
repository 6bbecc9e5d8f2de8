// The solo-learn target against the reference runs: the fork's configs (2 devices x 256,
// its lr and classifier_lr; docs/paper.md's runs table, §3.1), the method hyper-parameters
// (docs/paper.md §3), the augmentation presets (docs/paper.md §2), dup and extra data
// (§1), for the 12 paper pipelines.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, project, ROOT } from "../helpers.js";
import { at, emitSolo, pipeline, readYaml, type Y } from "./helpers.js";
import { PRESET_ROWS as PRESETS, REFERENCE_RUNS } from "../reference-presets.js";

const METHODS = {
  simclr: { solo: "simclr", kwargs: { proj_hidden_dim: 2048, proj_output_dim: 256, temperature: 0.2 }, opt: "lars", wd: 1e-4, tau: null },
  mocov2plus: {
    solo: "mocov2plus",
    kwargs: { proj_hidden_dim: 2048, proj_output_dim: 256, queue_size: 32768, temperature: 0.2 },
    opt: "sgd",
    wd: 1e-4,
    tau: [0.99, 0.999],
  },
  byol: { solo: "byol", kwargs: { proj_hidden_dim: 4096, proj_output_dim: 256, pred_hidden_dim: 4096 }, opt: "lars", wd: 1e-5, tau: [0.99, 1.0] },
  barlow: { solo: "barlow_twins", kwargs: { proj_hidden_dim: 2048, proj_output_dim: 2048, scale_loss: 0.1 }, opt: "lars", wd: 1e-4, tau: null },
} as const;

const INFLATIONS = ["none", "vanilla", "adainf"] as const;

describe("compile --target solo-learn: the 12 paper pipelines carry docs/paper.md's values", () => {
  for (const [method, m] of Object.entries(METHODS)) {
    const ref = REFERENCE_RUNS[method as keyof typeof METHODS];
    for (const inflation of INFLATIONS) {
      it(`${method}_${inflation}`, async () => {
        const r = await emitSolo(`pipelines/${method}_${inflation}.adainf`);
        expect(r.code).toBe(0);
        const cfg = readYaml(join(r.dir, `${method}.yaml`)) as Y;
        // §3
        expect(cfg["method"]).toBe(m.solo);
        expect(at(cfg, "backbone.name")).toBe("resnet18");
        expect(cfg["method_kwargs"]).toMatchObject(m.kwargs);
        expect(at(cfg, "optimizer.name")).toBe(m.opt);
        // the fork's config: per-device batch on its devices, the unscaled rates
        expect(at(cfg, "optimizer.batch_size")).toBe(ref.batchPerDevice);
        expect(cfg["devices"]).toEqual(Array.from({ length: ref.devices }, (_, i) => i));
        expect(at(cfg, "optimizer.lr")).toBe(ref.configLr);
        expect(at(cfg, "optimizer.weight_decay")).toBe(m.wd);
        expect(at(cfg, "optimizer.classifier_lr")).toBe(ref.configClassifierLr);
        if (m.opt === "lars") expect(at(cfg, "optimizer.kwargs")).toMatchObject({ eta: 0.02, clip_lr: true, exclude_bias_n_norm: true });
        else expect(at(cfg, "optimizer.kwargs")).toEqual({ momentum: 0.9 });
        if (m.tau) expect(cfg["momentum"]).toEqual({ base_tau: m.tau[0], final_tau: m.tau[1] });
        else expect(cfg["momentum"]).toBeUndefined();
        expect(at(cfg, "scheduler.name")).toBe("warmup_cosine");
        expect(cfg["max_steps"]).toBe(100_000);
        expect(cfg["val_check_interval"]).toBe(200);
        expect(at(cfg, "data.dataset")).toBe("cifar10");
        // §1
        const dup = at(cfg, "data.dup");
        const extra = at(cfg, "data.extra_data");
        const run = readFileSync(join(r.dir, "run.sh"), "utf8");
        if (inflation === "none") {
          expect(dup).toBeNull();
          expect(extra).toBeNull();
          expect(run).not.toContain("data.dup");
          expect(run).not.toContain("data.extra_data");
        } else {
          expect(dup).toBe(inflation === "adainf" ? 10 : 1);
          expect(extra).toBe("datasets/generated/cifar10-stf-1m.npz");
          expect(run).toContain(`data.dup=${dup} `);
          expect(run).toContain("data.extra_data=datasets/generated/cifar10-stf-1m.npz ");
        }
        // §2: AdaInf pairs with the weaker preset; the baselines use the config's default.
        const preset = inflation === "adainf" ? ref.adainfAugment : ref.baselineAugment;
        expect(cfg["defaults"]).toContainEqual({ augmentations: `${preset}.yaml` });
        expect(run).toContain(`augmentations=${preset}.yaml `);
        expect(run).toContain(`--config-name ${method}.yaml `);
        expect(run).toContain(`name=${method}_${inflation} `);
        expect(run).toContain("max_steps=100000 ");
        expect(run).toContain(`# It trains on ${ref.devices} GPUs x ${ref.batchPerDevice} images (batch_size is per GPU)`);
        const aug = readYaml(join(r.dir, "augmentations", `${preset}.yaml`)) as Y[];
        const rows = PRESETS[preset]!;
        expect(aug).toHaveLength(rows.length);
        aug.forEach((e, i) => {
          const [cmin, jp, b, c, s, h, g, bl, so, f] = rows[i]!;
          expect(e).toEqual({
            rrc: { enabled: true, crop_min_scale: cmin, crop_max_scale: 1.0 },
            color_jitter: { prob: jp, brightness: b, contrast: c, saturation: s, hue: h },
            grayscale: { prob: g },
            gaussian_blur: { prob: bl },
            solarization: { prob: so },
            equalization: { prob: 0 },
            horizontal_flip: { prob: f },
            crop_size: 32,
            num_crops: rows.length === 1 ? 2 : 1,
          });
        });
      });
    }
  }
});

describe("compile --target solo-learn: details", () => {
  it("warm-up: warmup_epochs * max_steps / compute_warm_step_epoch is the pipeline's warm-up in steps", async () => {
    const r = await emitSolo("pipelines/simclr_adainf.adainf");
    const cfg = readYaml(join(r.dir, "simclr.yaml")) as Y;
    const ir = JSON.parse((await cli(["compile", "pipelines/simclr_adainf.adainf"])).out) as { train: { schedule: { warmupSteps: number } } };
    const steps = ((at(cfg, "scheduler.warmup_epochs") as number) * (cfg["max_steps"] as number)) / (cfg["compute_warm_step_epoch"] as number);
    expect(Math.round(steps)).toBe(ir.train.schedule.warmupSteps);
    expect(at(cfg, "scheduler.warmup_epochs")).toBe(10);
  });

  it("BGR npz and step checkpoints are warnings naming the construct; the files are written", async () => {
    const r = await emitSolo("pipelines/simclr_adainf.adainf");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/pipelines\/simclr_adainf\.adainf:\d+:\d+: warning\[W070\]: 'generated' is declared BGR/);
    expect(r.err).toContain("warning[W071]");
    expect(r.out).toContain("run.sh");
  });

  it("--devices spreads the pipeline's total batch otherwise and keeps the learning rate", async () => {
    const r = await emitSolo("pipelines/simclr_none.adainf", undefined, ["--devices", "4"]);
    expect(r.code).toBe(0);
    const cfg = readYaml(join(r.dir, "simclr.yaml")) as Y;
    expect(at(cfg, "optimizer.batch_size")).toBe(REFERENCE_RUNS.simclr.batch / 4);
    expect(cfg["devices"]).toEqual([0, 1, 2, 3]);
    // solo-learn multiplies by batch_size * devices / 256: the same total, the same config lr
    expect(at(cfg, "optimizer.lr")).toBe(REFERENCE_RUNS.simclr.configLr);
    const bad = await emitSolo("pipelines/simclr_none.adainf", undefined, ["--devices", "3"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("error[E073]");
    expect(readdirSync(bad.dir)).toEqual([]);
  });

  it("a batch other than the reference's is compensated for solo-learn's lr scaling", async () => {
    const r = await emitSolo("pipelines/simclr_none.adainf", undefined, ["--set", "train.batch_size=256", "--set", "train.devices=1"]);
    const cfg = readYaml(join(r.dir, "simclr.yaml")) as Y;
    expect(cfg["devices"]).toEqual([0]);
    expect(at(cfg, "optimizer.batch_size")).toBe(256);
    // solo-learn will multiply by 256 / 256 = 1: the config holds the rate trained with
    expect(at(cfg, "optimizer.lr")).toBe(REFERENCE_RUNS.simclr.lr);
    expect(at(cfg, "optimizer.classifier_lr")).toBe(REFERENCE_RUNS.simclr.classifierLr);
  });

  it("a rate solo-learn scales by 1.5 is written so that the product is the pipeline's rate exactly (not 0.266666666666667)", async () => {
    const r = await emitSolo("pipelines/simclr_none.adainf", undefined, ["--set", "train.batch_size=384"]);
    expect(r.code).toBe(0);
    const cfg = readYaml(join(r.dir, "simclr.yaml")) as Y;
    expect(at(cfg, "optimizer.batch_size")).toBe(192);
    // solo-learn: lr * batch_size * len(devices) / 256, in floating point as Python computes it
    const factor = (192 * (cfg["devices"] as number[]).length) / 256;
    expect((at(cfg, "optimizer.lr") as number) * factor).toBe(REFERENCE_RUNS.simclr.lr);
    expect((at(cfg, "optimizer.classifier_lr") as number) * factor).toBe(REFERENCE_RUNS.simclr.classifierLr);
    expect(readFileSync(join(r.dir, "simclr.yaml"), "utf8")).not.toContain("0.266666666666667\n");
  });

  it("a sweep's warning that every point has is printed once, not once per point", async () => {
    const dir = project({
      "p.adainf": pipeline(
        'generated = npz("datasets/gen.npz", size = 1_000_000, fid = 1.94, channels = bgr)',
        "real x 10\n    generated x 1",
        "augment = symmetric\n  sweep {\n    augment = [symmetric, symmetric_adainf, symmetric_weak]\n  }",
      ),
    });
    const r = await emitSolo("p.adainf", dir);
    expect(r.code).toBe(0);
    expect(r.err.match(/warning\[W070\]/g)).toHaveLength(1);
    expect(readdirSync(r.dir).sort()).toEqual(["p_augment_symmetric_", "p_augment_symmetric_adainf_", "p_augment_symmetric_weak_"]);
  });

  it("lr_scaling = linear writes the rates as given: they are already per 256 images", async () => {
    const dir = project({
      "p.adainf": pipeline(
        "",
        "real x 1",
        "train {\n    devices = 4\n    batch_size = 1024\n    lr_scaling = linear\n    optimizer = lars(lr = 0.3, weight_decay = 1e-4, eta = 0.02, clip_lr = true, exclude_bias_n_norm = true)\n  }\n  evaluate { online_linear(lr = 0.05, every = 200 steps) }",
      ),
    });
    const r = await emitSolo("p.adainf", dir);
    expect(r.code).toBe(0);
    const cfg = readYaml(join(r.dir, "simclr.yaml")) as Y;
    expect(cfg["devices"]).toEqual([0, 1, 2, 3]);
    expect(at(cfg, "optimizer.batch_size")).toBe(256);
    expect(at(cfg, "optimizer.lr")).toBe(0.3);
    expect(at(cfg, "optimizer.classifier_lr")).toBe(0.05);
    expect(at(cfg, "adainf.lr_scaling")).toBe("linear");
  });

  it("usage: -o is required, unknown targets are refused, --emit ir still works", async () => {
    expect((await cli(["compile", "pipelines/simclr_none.adainf", "--target", "solo-learn"])).code).toBe(2);
    const t = await cli(["compile", "pipelines/simclr_none.adainf", "--target", "fortran"]);
    expect(t.code).toBe(2);
    expect(t.err).toContain("unknown target 'fortran'");
    const ir = await cli(["compile", "pipelines/simclr_none.adainf", "--emit", "ir"]);
    expect(JSON.parse(ir.out)).toMatchObject({ name: "simclr_none" });
  });

  it("recompiling replaces its own unedited files; an edited run.sh or a file it did not write is refused, --force overwrites", async () => {
    const r = await emitSolo("pipelines/simclr_none.adainf");
    expect(r.code).toBe(0);
    const compile = (...extra: string[]) => cli(["compile", "pipelines/simclr_none.adainf", "--target", "solo-learn", "-o", r.dir, ...extra]);
    const read = (f: string): string => readFileSync(join(r.dir, f), "utf8");
    // the marker: a shell comment after the #! line, a YAML comment on the first line
    expect(read("run.sh")).toMatch(
      /^#!\/usr\/bin\/env bash\n# adainfc output sha256 [0-9a-f]{16}: once edited, compiling again refuses to replace it without --force\n/,
    );
    for (const f of ["simclr.yaml", "augmentations/symmetric.yaml"]) expect(read(f)).toMatch(/^# adainfc output sha256 [0-9a-f]{16}: /);
    // unedited: replaced without a word, by the new text
    const again = await compile("--devices", "4");
    expect(again.code).toBe(0);
    expect(at(readYaml(join(r.dir, "simclr.yaml")), "devices")).toEqual([0, 1, 2, 3]);
    // edited: refused, nothing written
    writeFileSync(join(r.dir, "run.sh"), read("run.sh").replace("set -euo pipefail", "set -euo pipefail\nmodule load cuda"));
    const edited = await compile();
    expect(edited.code).toBe(1);
    // (after the pipeline's warnings)
    expect(edited.err.trimEnd().split("\n").at(-1)).toBe(
      `error: ${relative(ROOT, join(r.dir, "run.sh"))} was edited since adainfc compile wrote it: nothing was written; pass --force to overwrite, or choose another -o`,
    );
    expect(at(readYaml(join(r.dir, "simclr.yaml")), "devices")).toEqual([0, 1, 2, 3]);
    expect(read("run.sh")).toContain("module load cuda");
    // --force overwrites, and the script stays executable
    expect((await compile("--force")).code).toBe(0);
    expect(read("run.sh")).not.toContain("module load cuda");
    expect(statSync(join(r.dir, "run.sh")).mode & 0o111).not.toBe(0);
    // a file adainfc did not write is refused the same way
    writeFileSync(join(r.dir, "augmentations/symmetric.yaml"), "- rrc: {enabled: true}\n");
    const foreign = await compile();
    expect(foreign.code).toBe(1);
    expect(foreign.err).toMatch(
      /^error: \S+augmentations\/symmetric\.yaml was not written by adainfc compile \(it has no marker line\): nothing was written; pass --force/m,
    );
  });

  it("the YAML survives a path with YAML and OmegaConf specials", async () => {
    const path = 'gen: yes #1 ${oc.env:HOME} "q" \\ x.npz';
    const dir = project({ "p.adainf": pipeline(`generated = npz(${JSON.stringify(path)}, size = 1_000)`, "real x 2\n generated x 1") });
    const r = await emitSolo("p.adainf", dir);
    expect(r.code).toBe(0);
    const cfg = readYaml(join(r.dir, "simclr.yaml")) as Y;
    // OmegaConf would resolve ${...}: it is escaped as \${...}
    expect(at(cfg, "data.extra_data")).toBe(path.replace("${", "\\${"));
  });
});

describe("compile --target solo-learn: what solo-learn cannot express is an error at its span", () => {
  const cases: { what: string; text: string; code: string; line: number; message: string }[] = [
    {
      what: "several generated sources",
      text: pipeline('g1 = npz("a.npz", size = 10)\n    g2 = npz("b.npz", size = 10)', "real x 1\n    g1 x 1\n    g2 x 1"),
      code: "E070",
      line: 11,
      message: "several generated sources (g1, g2)",
    },
    { what: "a generated source replicated", text: pipeline('g = npz("a.npz", size = 10)', "real x 1\n    g x 2"), code: "E070", line: 9, message: "'g x 2'" },
    { what: "dup without generated data", text: pipeline("", "real x 3"), code: "E070", line: 8, message: "'real x 3' without generated data" },
    { what: "an image folder", text: pipeline('g = folder("imgs", size = 10)', "real x 1\n    g x 1"), code: "E070", line: 4, message: "image folder 'g'" },
    { what: "a convnet backbone", text: pipeline("", "real x 1", "model { backbone = convnet() }"), code: "E072", line: 10, message: "convnet" },
    {
      what: "an op parameter solo-learn fixes",
      text: pipeline("", "real x 1", "augment = symmetric with { gaussian_blur.sigma = 0.5..1.0 }"),
      code: "E071",
      line: 10,
      message: "gaussian_blur sigma = 0.5..1",
    },
    { what: "a linear probe", text: pipeline("", "real x 1", "evaluate { linear_probe() }"), code: "E073", line: 10, message: "linear_probe" },
    {
      what: "a kNN temperature",
      text: pipeline("", "real x 1", "evaluate { knn(every = 200 steps) }"),
      code: "E073",
      line: 10,
      message: "knn temperature = 0.1",
    },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const dir = project({ "p.adainf": c.text });
      const r = await emitSolo("p.adainf", dir);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`p.adainf:${c.line}:`);
      expect(r.err).toContain(`error[${c.code}]: solo-learn cannot express`);
      expect(r.err).toContain(c.message);
      expect(r.err).toContain("nothing written");
      expect(existsSync(join(r.dir, "simclr.yaml"))).toBe(false);
      expect(r.err).not.toMatch(/\bat .*\.(ts|js):\d+/);
    });
  }

  it("MNIST", async () => {
    const dir = project({
      "p.adainf": `pipeline p from simclr {
  data {
    real = mnist(split = train)
    eval = mnist(split = test)
  }
  model { backbone = convnet() }
}
`,
    });
    const r = await emitSolo("p.adainf", dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("a training set without CIFAR: it trains on real (mnist)");
    expect(r.err).toContain("convnet");
  });
});
