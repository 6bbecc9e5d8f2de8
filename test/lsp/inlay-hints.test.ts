// Inlay hints through `adainfc lsp` driven by a real client (./client.ts): the defaults of
// the parameters a builtin call leaves out (not one a dotted key of the declaration sets),
// with hover's text as tooltips; the settings a block of a derived pipeline or recipe
// inherits, linked to the recipe's statements (a lint block's rules too); lengths in epochs
// in steps, for the file's pipelines and those of the files that use it; a range request; a file with syntax
// errors; and the `inlayHints` setting, given with initialize and changed with
// didChangeConfiguration (the client is asked to refresh; a bad value is shown).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, Client, type Position, ROOT } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface Part {
  value: string;
  tooltip?: { kind: string; value: string };
  location?: { uri: string; range: { start: Position; end: Position } };
}
interface InlayHint {
  position: Position;
  label: Part[];
  kind?: number;
  paddingLeft?: boolean;
}

const text = `recipe r from simclr {
  train {
    optimizer = lars(lr = 0.4)
  }
  train.optimizer.momentum = 0.95
}
pipeline p from r {
  data {
    real = cifar10("d")
    gen = npz("g.npz", origin = generated, layout = nhwc, stand_in = false)
  }
  model {
    backbone = convnet
  }
  train {
    steps = 500
  }
  evaluate {
    knn()
  }
}
`;

const WHOLE = { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } };

/** Each hint as `line:character label`. */
const show = (hints: InlayHint[]) => hints.map((h) => `${h.position.line}:${h.position.character} ${h.label.map((p) => p.value).join("")}`);

const DEFAULTS = [
  // momentum is not shown: `train.optimizer.momentum = 0.95` sets it.
  "2:29 , weight_decay = 1e-4, eta = 0.02, clip_lr = true, exclude_bias_n_norm = true",
  "8:22 , split = train",
  "12:22 (channels = (32, 64, 128), feature_dim = 128, batch_norm = true)",
  "18:8 k = 200, temperature = 0.1, distance = cosine",
];
const INHERITED = [
  // simclr's train, less the optimizer r writes.
  "1:9 inherits devices = 2, batch_size = 512, steps = 100_000, schedule = warmup_cosine(warmup = 1_000 steps)",
  "11:9 inherits method = simclr(…)",
  // r's train merged on simclr's, with r's dotted key, less the steps p writes.
  "14:9 inherits devices = 2, batch_size = 512, optimizer = lars(lr = 0.4), optimizer.momentum = 0.95, schedule = warmup_cosine(warmup = 1_000 steps)",
  "17:12 inherits online_linear(lr = 0.1, every = 200 steps)",
];
const byPosition = (xs: string[]) =>
  [...xs].sort((a, b) => Number(a.split(/[: ]/)[0]) - Number(b.split(/[: ]/)[0]) || Number(a.split(/[: ]/)[1]) - Number(b.split(/[: ]/)[1]));

describe.skipIf(skip)("adainfc lsp inlay hints", () => {
  let client: Client;
  let dir: string;
  let uri: string;
  const hints = (u: string, range = WHOLE) => client.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri: u }, range });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-inlay-"));
    client = await Client.start(dir, 10, {}, {}, { inlayHint: { refreshSupport: true }, semanticTokens: { refreshSupport: true } });
    uri = client.open(join(dir, "p.adainf"), text);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("advertises inlay hints", () => {
    expect(client.capabilities.inlayHintProvider).toBe(true);
  });

  it("shows the defaults a call leaves out and the settings a block inherits, in the order of the text", async () => {
    const got = await hints(uri);
    expect(show(got)).toEqual(byPosition([...DEFAULTS, ...INHERITED]));
    // Defaults are parameter hints; inherited settings are set off from the brace.
    expect(got.find((h) => h.position.line === 2)).toMatchObject({ kind: 2 });
    expect(got.find((h) => h.position.line === 1)).toMatchObject({ paddingLeft: true });
    expect(got.find((h) => h.position.line === 1)!.kind).toBeUndefined();
  });

  it("gives each default hover's text as its tooltip", async () => {
    const lars = (await hints(uri)).find((h) => h.position.line === 2)!;
    const wd = lars.label.find((p) => p.value === "weight_decay = 1e-4")!;
    expect(wd.tooltip).toEqual({ kind: "markdown", value: "**lars.weight_decay**: number >= 0, default `1e-4`\n\nweight decay" });
    expect(lars.label.find((p) => p.value === ", ")?.tooltip).toBeUndefined();
  });

  it("links each inherited setting to the recipe's statement", async () => {
    const methods = readFileSync(join(ROOT, "stdlib", "methods.adainf"), "utf8").split("\n");
    const train = (await hints(uri)).find((h) => h.position.line === 1)!;
    const devices = train.label.find((p) => p.value === "devices = 2")!;
    expect(devices.location!.uri).toMatch(/\/stdlib\/methods\.adainf$/);
    const line = methods.findIndex((l) => l.trim() === "devices = 2");
    expect(devices.location!.range).toEqual({ start: { line, character: 4 }, end: { line, character: 15 } });
    expect(devices.tooltip!.value).toBe(`Inherited from recipe simclr, stdlib/methods.adainf:${line + 1}:\n\n\`\`\`adainf\ndevices = 2\n\`\`\``);
    // r's dotted key links to r's line in this file.
    const p = (await hints(uri)).find((h) => h.position.line === 14)!;
    const dotted = p.label.find((x) => x.value === "optimizer.momentum = 0.95")!;
    expect(dotted.location).toEqual({ uri, range: { start: { line: 4, character: 2 }, end: { line: 4, character: 33 } } });
  });

  it("shows the lint rules a lint block inherits: the chain's last setting of each, less those the declaration sets", async () => {
    const t = `recipe base from simclr {
  lint {
    allow(generated-quality, balance)
    data-scarce = info
  }
}
recipe mid from base {
  lint {
    deny(generated-quality)
    schedule = warn
  }
}
pipeline q from mid {
  data {
    real = cifar10("d")
  }
  lint {
    deny(balance)
  }
  sweep {
    axis a {
      x { lint { schedule = off } }
      y { seed = 2 }
    }
  }
}
`;
    const u = client.open(join(dir, "lint.adainf"), t);
    const got = (await hints(u)).filter((h) => h.label.some((p) => p.value.startsWith("inherits")) && t.split("\n")[h.position.line]!.includes("lint"));
    expect(show(got)).toEqual([
      // mid inherits base's rules, less the one it sets again
      "7:8 inherits allow(balance), data-scarce = info",
      // q: mid's deny wins over base's allow; balance is q's own, schedule its sweep's
      "16:8 inherits deny(generated-quality), data-scarce = info",
    ]);
    const deny = got[1]!.label.find((p) => p.value === "deny(generated-quality)")!;
    expect(deny.location).toEqual({ uri: u, range: { start: { line: 8, character: 9 }, end: { line: 8, character: 26 } } });
    expect(deny.tooltip!.value).toMatch(/^Inherited from recipe mid, \S*lint\.adainf:9:\n\n```adainf\ndeny\(generated-quality\)\n```$/);
  });

  it("shows a length written in epochs in steps, as the compile converts it for each pipeline and sweep point", async () => {
    const t = `recipe r from simclr {
  train {
    steps = 10 epochs
  }
}
pipeline e from r {
  data {
    real = cifar10("d", split = train, size = 1000)
    eval = cifar10("d", split = test, size = 100)
  }
  train {
    batch_size = 100
    schedule = warmup_cosine(warmup = 1 epochs)
  }
  evaluate {
    knn(every = 2 epochs)
  }
  sweep {
    train.batch_size = [100, 200]
  }
}
`;
    const u = client.open(join(dir, "epochs.adainf"), t);
    const before = client.refreshed.length;
    await client.diagnostics(u);
    // the analysis that converts them came after the request the client made on opening: it is asked again
    await expect.poll(() => client.refreshed.slice(before)).toContain("workspace/inlayHint/refresh");
    const steps = (await hints(u)).filter((h) => h.label[0]!.value.startsWith("= "));
    // 1000 images: 10 steps an epoch at batch 100, 5 at 200 (whole batches)
    expect(show(steps)).toEqual(["2:21 = 50 steps or 100 steps", "12:46 = 5 steps or 10 steps", "15:24 = 10 steps or 20 steps"]);
    expect(steps[0]!.label[0]!.tooltip!.value).toBe(
      "As the compile converts it (whole batches an epoch):\n\n- `e[train.batch_size=100]`: 100 steps\n- `e[train.batch_size=200]`: 50 steps",
    );
    expect(steps[0]).toMatchObject({ paddingLeft: true });
    // without the sweep, one value
    const one = t.replace("  sweep {\n    train.batch_size = [100, 200]\n  }\n", "");
    const u2 = client.open(join(dir, "epochs-one.adainf"), one);
    await client.diagnostics(u2);
    expect(show((await hints(u2)).filter((h) => h.label[0]!.value.startsWith("= ")))).toEqual(["2:21 = 100 steps", "12:46 = 10 steps", "15:24 = 20 steps"]);
  });

  it("shows a length that a recipe of an imported file writes for the pipelines of the files that use it", async () => {
    // lib/common.adainf: the length; the pipelines are elsewhere (on disk, open, or through another file)
    const common = `recipe shared from simclr {
  train {
    batch_size = 100
    steps = 10 epochs
  }
}
`;
    const data = (size: number) => `  data {
    real = cifar10("d", split = train, size = ${size})
    eval = cifar10("d", split = test, size = 100)
  }
`;
    mkdirSync(join(dir, "lib"), { recursive: true });
    writeFileSync(join(dir, "lib", "common.adainf"), common);
    // on disk only: 1000 images, 10 steps an epoch
    writeFileSync(join(dir, "uses.adainf"), `use "./lib/common.adainf"\npipeline a from shared {\n${data(1000)}}\n`);
    // through another file: a recipe of lib/mid.adainf gives 500 images
    writeFileSync(join(dir, "lib", "mid.adainf"), `use "./common.adainf"\nrecipe half from shared {\n${data(500)}}\n`);
    writeFileSync(join(dir, "far.adainf"), `use "./lib/mid.adainf"\npipeline b from half {}\n`);
    // a file that does not use it
    writeFileSync(join(dir, "other-lib.adainf"), `recipe shared2 from simclr {}\n`);
    // as an editor does for the files it watches (the server keeps its listing until told)
    void client.conn.sendNotification("workspace/didChangeWatchedFiles", {
      changes: ["uses.adainf", "lib/mid.adainf", "far.adainf", "other-lib.adainf"].map((f) => ({ uri: pathToFileURL(join(dir, f)).href, type: 1 })),
    });
    // open, with text not on disk: 2000 images
    const openText = `use "./lib/common.adainf"\npipeline c from shared {\n${data(2000)}}\n`;
    writeFileSync(join(dir, "open.adainf"), "// not this text\n");
    const openUri = client.open(join(dir, "open.adainf"), openText);
    await client.diagnostics(openUri);
    // the length's own file has no pipeline: its hint is what the files that use it compile
    const u = client.open(join(dir, "lib", "common.adainf"), common);
    await client.diagnostics(u);
    const stepHints = async () => (await hints(u)).filter((h) => h.label[0]!.value.startsWith("= "));
    await expect.poll(async () => show(await stepHints())).toEqual(["3:21 = 50 steps or 100 steps or 200 steps"]);
    expect((await stepHints())[0]!.label[0]!.tooltip!.value).toBe(
      "As the compile converts it (whole batches an epoch):\n\n- `b` (far.adainf): 50 steps\n- `c` (open.adainf): 200 steps\n- `a` (uses.adainf): 100 steps",
    );
    // an open file that uses it changes: the hint follows
    client.change(openUri, openText.replace("size = 2000", "size = 3000"));
    await expect.poll(async () => show(await stepHints())).toEqual(["3:21 = 50 steps or 100 steps or 300 steps"]);
    // and the file itself changes: the batch is its own
    client.change(u, common.replace("batch_size = 100", "batch_size = 50"));
    await expect.poll(async () => show(await stepHints())).toEqual(["3:21 = 100 steps or 200 steps or 600 steps"]);
    // a length of a file that uses another, its data and batch from there: the file's own
    const own = client.open(join(dir, "own.adainf"), `use "./lib/mid.adainf"\npipeline d from half {\n  evaluate {\n    knn(every = 1 epochs)\n  }\n}\n`);
    await client.diagnostics(own);
    expect(show((await hints(own)).filter((h) => h.label[0]!.value.startsWith("= ")))).toEqual(["3:24 = 10 steps"]);
  });

  it("answers a range with the hints inside it", async () => {
    const got = await hints(uri, { start: { line: 7, character: 0 }, end: { line: 13, character: 0 } });
    expect(show(got)).toEqual([
      "8:22 , split = train",
      "11:9 inherits method = simclr(…)",
      "12:22 (channels = (32, 64, 128), feature_dim = 128, batch_norm = true)",
    ]);
  });

  it("shows what parses of a file with syntax errors", async () => {
    const t = `pipeline b from simclr {
  data {
    real = cifar10("d", split = )
    gen = npz("g.npz")
  }
  evaluate { knn(k = 20
}
`;
    const u = client.open(join(dir, "broken.adainf"), t);
    // The unfinished value is dropped; the unclosed call recovered.
    expect(show(await hints(u))).toEqual([
      "3:21 , origin = generated, layout = nhwc, stand_in = false",
      "5:12 inherits online_linear(lr = 0.1, every = 200 steps)",
      "5:23 , temperature = 0.1, distance = cosine",
    ]);
    expect(await hints("file:///nowhere/closed.adainf")).toEqual([]);
  });

  it("turns each kind off and on with the inlayHints setting, and asks the client to refresh", async () => {
    client.configure({ inlayHints: { inherited: false } });
    await expect.poll(async () => show(await hints(uri))).toEqual(DEFAULTS);
    expect(client.refreshed).toContain("workspace/inlayHint/refresh");
    // A key that is absent keeps its value.
    client.configure({ inlayHints: { inherited: true, defaults: false } });
    await expect.poll(async () => show(await hints(uri))).toEqual(INHERITED);
    // A value of the wrong shape is shown and not taken.
    client.configure({ inlayHints: { defaults: "yes" } });
    await expect
      .poll(() => client.shown)
      .toContainEqual({
        type: 1,
        message: 'adainf.inlayHints: expected an object of booleans, each one of defaults, inherited, steps, got {"defaults":"yes"}',
      });
    expect(show(await hints(uri))).toEqual(INHERITED);
    client.configure({ inlayHints: { defaults: true } });
    await expect.poll(async () => show(await hints(uri))).toEqual(byPosition([...DEFAULTS, ...INHERITED]));
  });

  it("asks for semantic tokens and inlay hints again when files change on disk", async () => {
    const before = client.refreshed.length;
    void client.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: `${uri.slice(0, -"p.adainf".length)}other.adainf`, type: 1 }] });
    // (the hints may be asked for twice: once for the change, once more when a recheck's steps differ)
    await expect.poll(() => [...new Set(client.refreshed.slice(before))].sort()).toEqual(["workspace/inlayHint/refresh", "workspace/semanticTokens/refresh"]);
  });
});

describe.skipIf(skip)("adainfc lsp inlay hints off at the start", () => {
  it("takes the inlayHints setting with initialize", async () => {
    const dir = mkdtempSync(join(tmpdir(), "adainf-inlay-off-"));
    const client = await Client.start(dir, 10, {}, { inlayHints: { defaults: false, inherited: false } });
    const uri = client.open(join(dir, "p.adainf"), text);
    expect(await client.request<InlayHint[]>("textDocument/inlayHint", { textDocument: { uri }, range: WHOLE })).toEqual([]);
    expect(await client.stop()).toBe(0);
  });
});
