// An audit of semantic tokens and inlay hints through `adainfc lsp` driven by a real
// client (./client.ts), one test per defect it found: dotted keys into a pipeline's
// augmentation (`augment.color_jitter.p`) classified as the `with { ... }` form is; a
// document whose lines end with a lone CR (the protocol's line break too) gets its tokens
// on the lines the editor counts; a setting a sweep sets is not shown as inherited, nor
// an op's default that a dotted `augment.<op>.<param>` of the pipeline sets (each checked
// against the IR the compiler makes); and the work of both requests on a file of many
// declarations grows with the file, not with its square (no search of its declarations
// per declaration: counted in-process).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { inlayHints } from "../../src/lsp/inlay.js";
import { semanticTokens } from "../../src/lsp/semantic.js";
import { Program } from "../../src/resolve/program.js";
import { BUILT, Client, decodeTokens, type Position } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface Part {
  value: string;
}
interface InlayHint {
  position: Position;
  label: Part[];
}

describe.skipIf(skip)("adainfc lsp semantic tokens and inlay hints, audited", () => {
  let client: Client;
  let dir: string;
  let legend: { tokenTypes: string[]; tokenModifiers: string[] };
  /** Every token as `line:character text type.modifier...`, read on the lines the editor counts (CR, LF or CRLF end one). */
  const tokens = async (uri: string, text: string, method = "full", range?: object) => {
    const r = await client.request<{ data: number[] }>(`textDocument/semanticTokens/${method}`, { textDocument: { uri }, ...(range ? { range } : {}) });
    return decodeTokens(r.data, legend, text.replace(/\r\n?/g, "\n")).map((t) => `${t.line}:${t.character} ${t.text} ${[t.type, ...t.modifiers].join(".")}`);
  };
  const WHOLE = { start: { line: 0, character: 0 }, end: { line: 1_000_000, character: 0 } };
  const hints = async (uri: string) =>
    (await client.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: WHOLE })).map(
      (h) => `${h.position.line}:${h.position.character} ${h.label.map((p) => p.value).join("")}`,
    );
  /** Write `text` to `name` in the folder and open it. */
  const open = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return client.open(join(dir, name), text);
  };
  const irOf = (name: string) => {
    const out = compileFileSync(name, { cwd: dir });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return out.pipelines.map((p) => p.ir);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-semantic-audit-"));
    client = await Client.start(dir);
    legend = (client.capabilities.semanticTokensProvider as { legend: typeof legend }).legend;
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("classifies a dotted key into a pipeline's augmentation as its `with { ... }` form: op, view, parameter", async () => {
    const text = `pipeline p from simclr {
  augment.color_jitter.p = 0.5
  augment.view1.color_jitter.hue = 0.1
  augment.strength = 0.5
  sweep {
    augment.grayscale.p = [0.1, 0.2]
  }
}
pipeline q from simclr {
  augment = symmetric with { view1.color_jitter.p = 0.5; strength = 0.8 }
}
`;
    const got = await tokens(open("dotted.adainf", text), text);
    const on = (line: number) => got.filter((t) => t.startsWith(`${line}:`));
    expect(on(1)).toEqual(["1:2 augment keyword", "1:10 color_jitter function.defaultLibrary", "1:23 p parameter"]);
    expect(on(2)).toEqual(["2:2 augment keyword", "2:10 view1 variable", "2:16 color_jitter function.defaultLibrary", "2:29 hue parameter"]);
    expect(on(3)).toEqual(["3:2 augment keyword", "3:10 strength property"]);
    expect(on(5)).toEqual(["5:4 augment keyword", "5:12 grayscale function.defaultLibrary", "5:22 p parameter"]);
    // The same names in a `with { ... }` (classified so before): the two forms alike.
    expect(on(9).slice(3)).toEqual(["9:29 view1 variable", "9:35 color_jitter function.defaultLibrary", "9:48 p parameter", "9:57 strength property"]);
  });

  it("puts the tokens on the lines the editor counts when lines end with a lone CR", async () => {
    // Lone CR, CRLF and LF: each ends a line for the protocol (and the editor).
    const text =
      "pipeline q from r {\r  train { steps = 5 }\r\n  evaluate { knn }\n}\rrecipe r from simclr {\r  train {\r    optimizer = sgd(\r      lr = 0.1,\r    )\r  }\r}\r";
    const uri = open("cr.adainf", text);
    const got = await tokens(uri, text);
    expect(got.slice(0, 10)).toEqual([
      "0:0 pipeline keyword",
      "0:9 q class.declaration",
      "0:11 from keyword",
      "0:16 r class.abstract",
      "1:2 train keyword",
      "1:10 steps property",
      "2:2 evaluate keyword",
      "2:13 knn function.defaultLibrary",
      "4:0 recipe keyword",
      "4:7 r class.declaration.abstract",
    ]);
    // A range asks for lines as the editor counts them too.
    expect(await tokens(uri, text, "range", { start: { line: 1, character: 0 }, end: { line: 1, character: 30 } })).toEqual([
      "1:2 train keyword",
      "1:10 steps property",
    ]);
    // The hints were at the right places already; an inherited call written over lines is one line.
    expect(await hints(uri)).toContain("1:9 inherits devices = 2, batch_size = 512, optimizer = sgd(lr = 0.1), schedule = warmup_cosine(warmup = 1_000 steps)");
  });

  it("does not show as inherited a setting that the pipeline's sweep sets, as a list or in an alternative", async () => {
    const text = `pipeline p from simclr {
  data {
    real = cifar10("d")
    eval = cifar10("d", split = test)
  }
  train {
    steps = 500
  }
  evaluate { knn }
  sweep {
    train.batch_size = [64, 128]
    axis opt {
      a { train.optimizer = sgd(lr = 0.1) }
      b { train { optimizer = adamw(lr = 0.1) } }
    }
    evaluate.online_linear = [off]
  }
}
`;
    const got = (await hints(open("sweep.adainf", text))).filter((h) => h.includes("inherits"));
    // Only what every point has from simclr: no point has its batch_size, optimizer or online_linear.
    expect(got).toEqual(["5:9 inherits devices = 2, schedule = warmup_cosine(warmup = 1_000 steps)"]);
    const irs = irOf("sweep.adainf");
    expect(irs).toHaveLength(4);
    for (const ir of irs) {
      expect([ir.train.devices, ir.train.schedule]).toEqual([2, { name: "warmup_cosine", warmupSteps: 1000, warmupStartLr: 3e-5, minLr: 0 }]);
      expect(ir.train.batchSize).not.toBe(512);
      expect(ir.train.optimizer.name).not.toBe("lars");
      expect(ir.evaluate.onlineLinear).toBeNull();
    }
  });

  it("does not show the default of an op's parameter that a dotted augment key of the pipeline sets", async () => {
    const text = `pipeline p from simclr {
  data {
    real = cifar10("d", split = train)
    eval = cifar10("d", split = test)
  }
  augment {
    view x 2 { grayscale; solarize }
    view a { horizontal_flip; equalize }
    view b { horizontal_flip }
  }
  augment.grayscale.p = 0.3
  augment.a.horizontal_flip.p = 0.1
  sweep {
    augment.solarize.threshold = [100, 200]
  }
}
`;
    expect((await hints(open("ops.adainf", text))).filter((h) => !h.includes("inherits"))).toEqual([
      // grayscale: p is set on every view; solarize: its threshold by the sweep.
      "6:34 (p = 0)",
      // horizontal_flip of view a is set, equalize and view b's flip are not.
      "7:38 (p = 0)",
      "8:28 (p = 0.5)",
    ]);
    for (const ir of irOf("ops.adainf")) {
      const op = (view: string, name: string) => ir.augment.views.find((v) => v.name === view)!.ops.find((o) => o.op === name) as Record<string, unknown>;
      expect([op("view1", "grayscale").p, op("view2", "grayscale").p, op("a", "horizontal_flip").p]).toEqual([0.3, 0.3, 0.1]);
      expect([op("view1", "solarize").p, op("a", "equalize").p, op("b", "horizontal_flip").p]).toEqual([0, 0, 0.5]);
    }
  });

  it("reads a file's list of declarations a fixed number of times per request, however many it has", () => {
    // A file of `n` recipes, each with a pipeline built on it: every pipeline looks its
    // recipe up, every inherited setting names the recipe it comes from. A look-up that
    // searched the file's declarations made the two requests grow with the square of n
    // (800 of each: 0.4 s for the tokens, 0.55 s for the hints, where 200 took 0.03).
    const many = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `recipe r${i} from simclr {
  train { batch_size = 256; optimizer.momentum = 0.95 }
  data { real = cifar10("d") }
}
pipeline p${i} from r${i} {
  data { eval = cifar10("d", split = test) }
  train { steps = 10 }
  model { backbone = resnet18 }
  evaluate { knn }
}
`,
      ).join("");
    /** How often both requests' work reads the file's top-level items (each read: a pass over its declarations). */
    const reads = (n: number) => {
      const path = join(dir, `many-${n}.adainf`);
      writeFileSync(path, many(n));
      const program = new Program({ cwd: dir });
      const file = program.loadEntry(path)!;
      const items = file.ast.items;
      let count = 0;
      Object.defineProperty(file.ast, "items", {
        get: () => {
          count++;
          return items;
        },
      });
      expect(semanticTokens(file, program)).toHaveLength(27 * n);
      expect(inlayHints(file, program, { defaults: true, inherited: true, steps: true })).toHaveLength(8 * n);
      return count;
    };
    expect(reads(200)).toBe(reads(50));
  });
});
