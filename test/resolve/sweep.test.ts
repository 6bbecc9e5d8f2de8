// Sweeps: a 3-axis grid (18 points) compiles to one pipeline per point, named and placed
// by its point; per-point and shared diagnostics; malformed axes and the 1000-point cap;
// --set refused (E012) on a setting an axis varies, applied to every point otherwise;
// points that share one stand-in file must plan it alike (E012).
import { describe, expect, it } from "vitest";
import { compileText } from "../helpers.js";

const STORY = `pipeline story from simclr {
  data {
    real = mnist(split = train, size = 1_000)
    generated = npz("gen.npz", size = 10_000, fid = 30, channels = rgb)
    eval = mnist(split = test)
  }
  model { backbone = convnet(channels = (32, 64, 128)) }
  train { steps = 300; batch_size = 64; schedule = warmup_cosine(warmup = 30 steps) }
  sweep {
    axis inflation {
      none { inflate { real x 1 } }
      vanilla { inflate { real x 1; generated x 1 } }
      adainf { inflate { real x 10; generated x 1 } }
    }
    augment = [symmetric, symmetric_adainf]
    seed = [0, 1, 2]
  }
}
`;

describe("output.dir as a sweep axis", () => {
  it("is refused (E020) at the setting: the points are folders under the one output.dir", () => {
    for (const axis of ['output.dir = ["runs/a", "runs/b"]', 'axis where { a { output { dir = "runs/a" } } b { output { dir = "runs/b" } } }']) {
      const text = STORY.replace("seed = [0, 1, 2]", axis);
      const out = compileText(text);
      expect(out.pipelines).toEqual([]);
      expect(out.diagnostics.map((d) => [d.code, d.message, text.slice(d.span!.start, d.span!.end)])).toEqual([
        [
          "E020",
          `sweep axis '${axis.startsWith("axis") ? "where" : "output.dir"}' varies output.dir: a sweep's points are folders under its one output.dir, beside its results table`,
          axis.startsWith("axis") ? "output" : "output.dir",
        ],
      ]);
    }
  });
});

describe("--set against a sweep", () => {
  it("a setting the sweep varies is refused (E012): every point would train with one value under its own label", () => {
    for (const [set, key, varied, axis] of [
      ["seed=3", "seed", "seed", "seed"],
      ["inflate.real=3", "inflate.real", "inflate.real", "inflation"],
      ["augment=symmetric_weak", "augment", "augment", "augment"],
    ] as const) {
      const out = compileText(STORY, [set]);
      expect(out.pipelines).toEqual([]);
      expect(out.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
        [
          "E012",
          `--set ${key}: '${varied}' is what sweep axis '${axis}' varies, so every point would train with the --set value under its own label`,
          `leave the --set out: \`adainfc run --only ${axis}=<value>\` trains the points you pick; or change the sweep in the file`,
        ],
      ]);
      // At the key in the argument as typed.
      expect(out.diagnostics[0]!.span).toMatchObject({ file: "--set #1", line: 1, column: 1, end: key.length });
    }
  });

  it("a setting the sweep leaves alone applies to every point", () => {
    const out = compileText(STORY, ["train.steps=7"]);
    expect(out.diagnostics).toEqual([]);
    expect(out.pipelines).toHaveLength(18);
    expect(out.pipelines.every((p) => p.ir.train.steps === 7)).toBe(true);
  });
});

describe("sweeps", () => {
  it("compiles one pipeline per point of the grid, in axis order", () => {
    const out = compileText(STORY);
    expect(out.diagnostics).toEqual([]);
    expect(out.pipelines).toHaveLength(18);
    const first = out.pipelines[0]!.ir;
    expect(first.name).toBe("story[inflation=none,augment=symmetric,seed=0]");
    expect(first.sweep).toEqual({ base: "story", point: { inflation: "none", augment: "symmetric", seed: "0" } });
    expect(first.output.dir).toBe("runs/story/inflation=none,augment=symmetric,seed=0");
    const last = out.pipelines[17]!.ir;
    expect(last.sweep!.point).toEqual({ inflation: "adainf", augment: "symmetric_adainf", seed: "2" });
    expect(last.data.train).toEqual([
      { source: "real", replicate: 10 },
      { source: "generated", replicate: 1 },
    ]);
    expect(last.augment.preset).toBe("symmetric_adainf");
    expect(last.seed).toBe(2);
  });

  it("checks every point and says which points a problem belongs to", () => {
    const out = compileText(STORY.replace("seed = [0, 1, 2]", "train.batch_size = [64, 0]"));
    const bad = out.diagnostics.filter((d) => d.code === "E021");
    expect(bad).toHaveLength(1);
    expect(bad[0]!.message).toMatch(/^\[train\.batch_size=0\] train\.batch_size = 0 is out of range/);
    expect(out.pipelines).toHaveLength(6);
  });

  it("reports a problem shared by every point once, without a point", () => {
    const out = compileText(STORY.replace("fid = 30", "fid = -3"));
    expect(out.diagnostics.map((d) => d.message)).toEqual(["npz.fid = -3 is out of range: it must be >= 0"]);
  });

  it("refuses malformed axes and huge grids", () => {
    expect(compileText(STORY.replace("seed = [0, 1, 2]", "seed = 3")).diagnostics[0]!.code).toBe("E020");
    expect(compileText(STORY.replace("seed = [0, 1, 2]", "seed = [1, 1]")).diagnostics[0]!.code).toBe("E012");
    // A value or an axis given twice: one E012, at the second one (its text and column).
    const twice = (from: string, to: string) => {
      const text = STORY.replace(from, to);
      return compileText(text).diagnostics.map((d) => [d.code, d.message, d.span!.column, text.slice(d.span!.start, d.span!.end)]);
    };
    expect(twice("seed = [0, 1, 2]", "seed = [1, 1]")).toEqual([["E012", "sweep axis 'seed' lists '1' twice", 16, "1"]]);
    expect(twice("vanilla {", "none {")).toEqual([["E012", "sweep axis 'inflation' lists 'none' twice", 7, "none"]]);
    expect(twice("seed = [0, 1, 2]", "seed = [0]\n    seed = [1]")).toEqual([["E012", "sweep axis 'seed' is declared twice", 5, "seed"]]);
    // Values equal however they are written would train the same run twice: E012 at the second.
    expect(twice("seed = [0, 1, 2]", "augment.strength = [1, 1.0]")).toEqual([
      ["E012", "sweep axis 'augment.strength': '1.0' is the same setting as '1', so both points would train the same run", 28, "1.0"],
    ]);
    expect(twice("seed = [0, 1, 2]", "train.optimizer.lr = [0.001, 0.002, 1e-3]").map((d) => d[3])).toEqual(["1e-3"]);
    expect(twice("seed = [0, 1, 2]", "train.steps = [4, 4 steps]").map((d) => [d[0], d[3]])).toEqual([["E012", "4 steps"]]);
    // Values whose run folders would be one ('gen a.npz' and 'gen_a.npz' both make `gen_a.npz`).
    const npz = (f: string) => `npz("${f}", size = 10_000, channels = rgb)`;
    expect(twice("seed = [0, 1, 2]", `data.generated = [${npz("gen a.npz")}, ${npz("gen_a.npz")}]`)).toEqual([
      [
        "E012",
        `sweep axis 'data.generated': '${npz("gen_a.npz")}' and '${npz("gen a.npz")}' would share one run folder ('data.generated=npz__gen_a.npz_,_size_=_10_000,_channels_=_rgb_')`,
        72,
        npz("gen_a.npz"),
      ],
    ]);
    // Different values stay apart, whatever setting they vary: the devices a solo-learn
    // config trains on, the checkpoints kept, the checkpoint interval, lint severities.
    expect(twice("seed = [0, 1, 2]", "augment.strength = [1, 1.5]")).toEqual([]);
    expect(twice("seed = [0, 1, 2]", "train.devices = [1, 2]")).toEqual([]);
    expect(twice("seed = [0, 1, 2]", "output.keep = [1, 3]")).toEqual([]);
    expect(twice("seed = [0, 1, 2]", "output.checkpoint_every = [100 steps, 200 steps]")).toEqual([]);
    expect(twice("seed = [0, 1, 2]", "axis strict { loose { lint { balance = off } } tight { lint { balance = error } } }")).toEqual([]);
    expect(twice("seed = [0, 1, 2]", "train.devices = [2, 2.0]").map((d) => [d[0], d[3]])).toEqual([["E012", "2.0"]]);
    const many = `seed = [${Array.from({ length: 200 }, (_, i) => i).join(", ")}]`;
    expect(compileText(STORY.replace("seed = [0, 1, 2]", many)).diagnostics[0]!.message).toBe("the sweep has 1200 points; at most 1000 are allowed");
  });
});

describe("a stand-in set shared by the points of a sweep", () => {
  const STAND_IN = STORY.replace("fid = 30, channels = rgb)", "fid = 30, channels = rgb, stand_in = true)");
  const found = (axis: string) => {
    const text = STAND_IN.replace("seed = [0, 1, 2]", axis);
    return compileText(text).diagnostics.map((d) => [d.code, d.message, text.slice(d.span!.start, d.span!.end)]);
  };

  it("is refused (E012, at the value) when points would fit it on other real images: it is made once", () => {
    expect(found("data.real.size = [500, 1_000]")).toEqual([
      [
        "E012",
        "sweep axis 'data.real.size': at '1_000' the stand-in set gen.npz would be made with --first 1000, at '500' with --first 500; the points share the one file, made once",
        "1_000",
      ],
    ]);
    // Without a declared size the count follows the real data's too.
    const counted = STORY.replace("size = 10_000, fid = 30, channels = rgb)", "fid = 30, channels = rgb, stand_in = true)").replace(
      "seed = [0, 1, 2]",
      "data.real.size = [500, 1_000]",
    );
    expect(compileText(counted).diagnostics.map((d) => d.message)).toEqual([
      "sweep axis 'data.real.size': at '1_000' the stand-in set gen.npz would be made with --first 1000 --count 10000, at '500' with --first 500 --count 5000; the points share the one file, made once",
    ]);
  });

  it("is accepted when every value has its own file, when the plan is alike, and without stand_in", () => {
    const own = (n: string) =>
      `v${n} { data { real = mnist(split = train, size = ${n}); generated = npz("gen-${n}.npz", size = 10_000, fid = 30, channels = rgb, stand_in = true) } }`;
    expect(found(`axis real { ${own("500")} ${own("1000")} }`)).toEqual([]);
    expect(found("train.steps = [100, 200]")).toEqual([]);
    expect(compileText(STORY.replace("seed = [0, 1, 2]", "data.real.size = [500, 1_000]")).diagnostics).toEqual([]);
  });
});
