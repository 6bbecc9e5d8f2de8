// One mistake, one finding, at the line that causes it (issue 16): the evaluation source
// trained on is reported once (lint rule eval-on-train; the compiler's W002 is retired),
// with a hint that fits the pipeline, and findings fall back to the block, the entry or
// the `from <recipe>` that brings a value in before the pipeline's name.
import { describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { lintWithSizes } from "../../src/lint/engine.js";
import { compileText, project } from "../helpers.js";

function lintText(text: string) {
  const out = compileText(text);
  const p = out.pipelines[0]!;
  return { compile: out.diagnostics, lint: lintWithSizes(p, {}, { source: (f) => out.sources.get(f) ?? null }).diagnostics };
}

const at = (d: { span: { line: number; column: number } | null } | undefined) => (d?.span ? `${d.span.line}:${d.span.column}` : null);

describe("the evaluation source trained on: one finding", () => {
  it("`eval x 1` in inflate: eval-on-train at the inflate entry, no compiler warning, a hint to remove it", () => {
    const { compile, lint } = lintText(`pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
  }
  inflate {
    real x 1
    eval x 1
  }
}
`);
    expect(compile).toEqual([]);
    const found = lint.filter((d) => d.code === "eval-on-train");
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe("the evaluation source 'eval' is also trained on: accuracy would be measured on training images");
    expect(found[0]!.hint).toBe("remove 'eval x 1' from inflate: the evaluation source stays out of training");
    expect(at(found[0])).toBe("8:5");
  });

  it("an evaluation source on the train split: at that source's line (it is the eval source by its name), evaluate on test", () => {
    const { lint } = lintText(`pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = train)
  }
}
`);
    const found = lint.filter((d) => d.code === "eval-on-train");
    expect(found).toHaveLength(1);
    expect(found[0]!.hint).toBe("evaluate on the held-out test split");
    expect(at(found[0])).toBe("4:5");
  });

  it("a training source on the test split: at the training source, train on the train split", () => {
    const { lint } = lintText(`pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = test)
    eval = cifar10("datasets/cifar10", split = test)
  }
}
`);
    const found = lint.filter((d) => d.code === "eval-on-train");
    expect(found).toHaveLength(1);
    expect(found[0]!.hint).toBe("train 'real' on split = train: the test split is held out for evaluation");
    expect(at(found[0])).toBe("3:5");
  });

  it("`adainfc check` alone says nothing about it (lint owns it)", () => {
    const out = compileText(
      'pipeline p from simclr {\n  data {\n    real = cifar10("d", split = train)\n    eval = cifar10("d", split = test)\n  }\n  inflate {\n    eval x 1\n  }\n}\n',
    );
    expect(out.diagnostics.map((d) => d.code)).toEqual([]);
  });
});

describe("findings point at the line that causes them, not the pipeline's name", () => {
  it("E022 no data: an empty data block is the place", () => {
    const out = compileText("pipeline p from simclr {\n  augment = symmetric\n  data {\n  }\n}\n");
    const d = out.diagnostics.find((x) => x.code === "E022")!;
    expect(d.message).toBe("pipeline 'p' has no data");
    expect(at(d)).toBe("3:3");
  });

  it("E022 nothing to train on, without an inflate block: the data block", () => {
    const out = compileText('pipeline p from simclr {\n  data {\n    eval = cifar10("d", split = test)\n  }\n}\n');
    const d = out.diagnostics.find((x) => x.code === "E022")!;
    expect(d.message).toBe("nothing to train on: inflate lists no source");
    expect(at(d)).toBe("2:3");
  });

  it("E030 no evaluation source, evaluators inherited from the recipe: the data block, not the stdlib nor the name", () => {
    const out = compileText('pipeline p from simclr {\n  data {\n    real = cifar10("d", split = train)\n  }\n}\n');
    const d = out.diagnostics.find((x) => x.code === "E030")!;
    expect(d.message).toBe("evaluation needs a labelled evaluation source");
    expect(d.span).toMatchObject({ file: "p.adainf", line: 2, column: 3 });
  });

  it("E030 with the pipeline's own evaluate block: still the data block, where the source is missing", () => {
    const out = compileText('pipeline p from simclr {\n  data {\n    real = cifar10("d", split = train)\n  }\n  evaluate {\n    knn(k = 20)\n  }\n}\n');
    const d = out.diagnostics.find((x) => x.code === "E030")!;
    expect(at(d)).toBe("2:3");
  });

  it("E021 a dataset's mean/std channel count: the field, not the dataset's name", () => {
    const dir = project({
      "p.adainf": `dataset grey {
  format = mnist
  shape = [28, 28, 1]
  classes = 10
  train_size = 60000
  test_size = 10000
  mean = [0.5, 0.5]
  std = [0.5]
}
pipeline p from simclr {
  data {
    real = grey(split = train)
    eval = grey(split = test)
  }
  augment = symmetric
}
`,
    });
    const out = compileFileSync("p.adainf", { cwd: dir });
    const d = out.diagnostics.find((x) => x.code === "E021")!;
    expect(d.message).toBe("dataset 'grey': mean and std need one value per channel (1)");
    expect(at(d)).toBe("7:10");
  });

  it("lint: a value inherited from a recipe is shown at `from <recipe>`, a default at the name", () => {
    const { lint } = lintText(`pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    generated = npz("gen.npz", size = 1_000_000, fid = 2)
    eval = cifar10("datasets/cifar10", split = test)
  }
  inflate {
    real x 1
    generated x 1
  }
}
`);
    const balance = lint.find((d) => d.code === "balance")!;
    expect(balance.span).toMatchObject({ file: "p.adainf", line: 1, column: 17 });
  });
});
