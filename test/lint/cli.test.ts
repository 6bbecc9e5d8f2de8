// The lint and explain commands run in-process against the real front end, on pipeline
// files written to a temp directory (copies of pipelines/ plus variations).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runExplainCommand } from "../../src/cli/commands/explain.js";
import { runLintCommand } from "../../src/cli/commands/lint.js";
import { main } from "../../src/cli/main.js";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import type { CliContext } from "../../src/cli/context.js";
import { compileFile } from "../../src/driver.js";
import type { FrontEnd } from "../../src/lint/frontend.js";
import { formatText } from "../../src/syntax/format.js";

const root = path.resolve(__dirname, "../..");
const frontEnd: FrontEnd = { compileFile, formatText };

function capture(cwd: string): CliContext & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return { cwd, color: false, out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

function tempProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-lint-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const pipelineText = (name: string) => fs.readFileSync(path.join(root, "pipelines", `${name}.adainf`), "utf8");

describe("adainfc lint", () => {
  it("warns on vanilla, passes none and adainf, and prints g, f, a per pipeline", async () => {
    const dir = tempProject({
      "p/simclr_vanilla.adainf": pipelineText("simclr_vanilla"),
      "p/simclr_adainf.adainf": pipelineText("simclr_adainf"),
      "p/simclr_none.adainf": pipelineText("simclr_none"),
    });
    const ctx = capture(dir);
    const code = await runLintCommand(["p"], {}, ctx, { frontEnd });
    expect(code).toBe(0); // warnings only
    const out = ctx.stdout();
    expect(out).toContain("warning[vanilla-inflation]");
    expect(out).toContain("warning[balance]");
    expect(out).toMatch(/> +\d+ \| +real x 1/); // code frame on the user's line
    expect(out).toContain("simclr_vanilla: g = 0.952, f = 21, a = 1.00");
    expect(out).toContain("simclr_adainf: g = 0.667, f = 30, a = 0.55");
    expect(out).toContain("simclr_none: g = 0.000, f = 1, a = 1.00");
    // each line ends with the effective batch and rates: the simclr recipe's 2 x 256, lr 0.4, classifier 0.1
    expect(out).toContain("simclr_none: g = 0.000, f = 1, a = 1.00 (symmetric: 1.00 / 1.00); batch 512 (2 devices x 256), lr 0.4, classifier lr 0.1");
    expect(out).toContain("(3 pipelines)");
  });

  it("exits 1 with --deny warnings, and --rule turns rules off", async () => {
    const dir = tempProject({ "v.adainf": pipelineText("simclr_vanilla") });
    expect(await runLintCommand(["v.adainf"], { deny: ["warnings"] }, capture(dir), { frontEnd })).toBe(1);
    const ctx = capture(dir);
    const code = await runLintCommand(["v.adainf"], { deny: ["warnings"], rule: ["vanilla-inflation=off", "balance=info", "dup-augment=off"] }, ctx, {
      frontEnd,
    });
    expect(code).toBe(0);
    expect(ctx.stdout()).toContain("info[balance]");
    expect(ctx.stdout()).not.toContain("vanilla-inflation");
  });

  it("honours `lint { allow(...) }` in the file", async () => {
    const text = pipelineText("simclr_vanilla")
      .replace(/\n}\s*$/, "\n  lint {\n    allow(balance, vanilla-inflation)\n    channel-order = error\n  }\n}\n")
      .replace(/,?\s*channels = bgr,?/, "");
    const dir = tempProject({ "v.adainf": text });
    const ctx = capture(dir);
    expect(await runLintCommand(["v.adainf"], { format: "json" }, ctx, { frontEnd })).toBe(1);
    const doc = JSON.parse(ctx.stdout()) as { diagnostics: { code: string; severity: string }[] };
    expect(doc.diagnostics.map((d) => `${d.code}:${d.severity}`)).toEqual(["channel-order:error"]);
  });

  it("reports compile errors and exits 1", async () => {
    const dir = tempProject({ "bad.adainf": "pipeline broken from simclr {\n  inflate { real x }\n}\n" });
    const ctx = capture(dir);
    expect(await runLintCommand(["bad.adainf"], {}, ctx, { frontEnd })).toBe(1);
    expect(ctx.stdout()).toMatch(/error\[E\d+\]/);
  });

  it("usage errors exit 2 without a stack trace, one `error:` line as every command prints", async () => {
    const dir = tempProject({ "v.adainf": pipelineText("simclr_none") });
    for (const [paths, opts, text] of [
      [["v.adainf"], { format: "xml" }, "unknown --format"],
      [["v.adainf"], { rule: ["balanse=off"] }, "did you mean 'balance'"],
      [["v.adainf"], { rule: ["balance=loud"] }, "unknown severity"],
      [["v.adainf"], { deny: ["infos"] }, "--deny takes 'warnings'"],
      [["v.adainf"], { fix: true, set: ["train.steps=500"] }, "--fix cannot be combined with --set"],
    ] as const) {
      const ctx = capture(dir);
      expect(await runLintCommand([...paths], { ...opts } as never, ctx, { frontEnd })).toBe(2);
      expect(ctx.stderr()).toContain(text);
      expect(ctx.stderr()).toMatch(/^error: [^\n]+\n$/);
      expect(ctx.stderr()).not.toMatch(/\n\s+at /);
    }
  });

  it("--fix turns a vanilla pipeline into AdaInf, formats it, and the re-lint is clean", async () => {
    const dir = tempProject({ "v.adainf": pipelineText("simclr_vanilla") });
    const ctx = capture(dir);
    const code = await runLintCommand(["v.adainf"], { fix: true, deny: ["warnings"] }, ctx, { frontEnd });
    expect(ctx.stdout()).toContain("fixed v.adainf");
    expect(code).toBe(0);
    const fixed = fs.readFileSync(path.join(dir, "v.adainf"), "utf8");
    expect(fixed).toContain("real x 10");
    expect(fixed).toContain("augment = symmetric_adainf");
    expect(formatText(fixed, "v.adainf").text).toBe(fixed); // canonical
    expect(ctx.stdout()).toContain("no problems");
    expect(ctx.stdout()).toContain("g = 0.667, f = 30");
    expect(fs.readdirSync(dir)).toEqual(["v.adainf"]); // no temp file left behind
  });

  it("--fix switches a preset named in the file, and leaves a clean file untouched", async () => {
    const text = pipelineText("byol_adainf").replace("asymmetric_adainf", "asymmetric");
    const dir = tempProject({ "b.adainf": text, "n.adainf": pipelineText("byol_none") });
    const before = fs.readFileSync(path.join(dir, "n.adainf"), "utf8");
    const ctx = capture(dir);
    await runLintCommand(["."], { fix: true }, ctx, { frontEnd });
    expect(fs.readFileSync(path.join(dir, "b.adainf"), "utf8")).toContain("augment = asymmetric_adainf");
    expect(fs.readFileSync(path.join(dir, "n.adainf"), "utf8")).toBe(before);
    expect(ctx.stdout()).not.toContain("fixed n.adainf");
  });

  it("sarif output lists rules and results with regions", async () => {
    const dir = tempProject({ "v.adainf": pipelineText("mocov2plus_vanilla"), "a.adainf": pipelineText("mocov2plus_adainf") });
    const ctx = capture(dir);
    await runLintCommand(["."], { format: "sarif" }, ctx, { frontEnd });
    const sarif = JSON.parse(ctx.stdout());
    expect(sarif.version).toBe("2.1.0");
    const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    expect(results.map((r) => r.ruleId).sort()).toEqual(["balance", "vanilla-inflation"]);
    for (const r of results) expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toBe("v.adainf");
  });

  it("sarif: a --set mistake is located in the argument, an artifact with its text embedded, not under the source tree", async () => {
    const dir = tempProject({ "v.adainf": pipelineText("mocov2plus_vanilla") });
    const ctx = capture(dir);
    await runLintCommand(["v.adainf"], { format: "sarif", set: ["train.step=5"] }, ctx, { frontEnd });
    const run = JSON.parse(ctx.stdout()).runs[0];
    const at = { uri: "--set%20%231", uriBaseId: "ADAINFC_SET_ARGUMENTS" };
    expect(Object.keys(run.originalUriBaseIds)).toEqual([at.uriBaseId]);
    expect(run.artifacts).toEqual([{ location: at, description: { text: "the command-line argument --set #1" }, contents: { text: "train.step=5" } }]);
    const e011 = run.results.find((r: { ruleId: string }) => r.ruleId === "E011");
    expect(e011.message.text).toBe("train has no setting 'step' (did you mean 'steps'?)");
    expect(e011.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { ...at, index: 0 },
      region: { startLine: 1, startColumn: 7, endLine: 1, endColumn: 11, snippet: { text: "step" } },
    });
  });
});

describe("through the CLI entry point", () => {
  it("adainfc lint --format json loads the real front end and sets the exit code", async () => {
    const dir = tempProject({ "v.adainf": pipelineText("barlow_vanilla") });
    const ctx = capture(dir);
    expect(await main(["lint", "--format", "json", "--deny", "warnings", "v.adainf"], ctx)).toBe(1);
    const doc = JSON.parse(ctx.stdout()) as { pipelines: { name: string; inflationFactor: number }[]; summary: { errors: number } };
    expect(doc.pipelines.map((p) => [p.name, p.inflationFactor])).toEqual([["barlow_vanilla", 21]]);
    expect(doc.summary.errors).toBe(2);
  });

  it("reads an npz source's size from the file header when the pipeline does not declare it", async () => {
    const text = pipelineText("simclr_adainf")
      .replace(/size = 1_000_000,?/, "")
      .replace("cifar10-stf-1m.npz", "gen.npz");
    const dir = tempProject({ "a.adainf": text });
    fs.mkdirSync(path.join(dir, "datasets/generated"), { recursive: true });
    const w = NpzImageWriter.create(path.join(dir, "datasets/generated/gen.npz"), { count: 500, shape: [32, 32, 3] });
    w.append(new Uint8Array(500 * 32 * 32 * 3));
    w.finish();
    // The recipe's warm-up is in epochs, which the front end cannot convert without the size.
    const set = ["train.schedule = warmup_cosine(warmup = 1_000 steps)"];
    const ctx = capture(dir);
    await runLintCommand(["a.adainf"], { format: "json", set }, ctx, { frontEnd });
    const doc = JSON.parse(ctx.stdout()) as { pipelines: { epochSize: number; generatedShare: number }[]; diagnostics: { code: string }[] };
    expect(doc.pipelines[0]!.epochSize).toBe(500_500);
    expect(doc.pipelines[0]!.generatedShare).toBeCloseTo(500 / 500_500, 9);

    fs.rmSync(path.join(dir, "datasets"), { recursive: true });
    const missing = capture(dir);
    await runLintCommand(["a.adainf"], { format: "json", set }, missing, { frontEnd });
    const doc2 = JSON.parse(missing.stdout()) as { pipelines: { generatedShare: number | null }[]; diagnostics: { code: string }[] };
    expect(doc2.pipelines[0]!.generatedShare).toBeNull();
    expect(doc2.diagnostics.map((d) => d.code)).toContain("unknown-size");
  });
});

describe("adainfc explain", () => {
  it("prints what, why, example and fix", async () => {
    const ctx = capture(root);
    expect(await runExplainCommand("balance", {}, ctx)).toBe(0);
    for (const h of ["# balance", "## Why", "## Example", "## Fix"]) expect(ctx.stdout()).toContain(h);
    expect(ctx.stdout()).toContain("complementary roles");
  });

  it("suggests the closest rule for a typo and exits 2", async () => {
    const ctx = capture(root);
    expect(await runExplainCommand("vanila-inflation", {}, ctx)).toBe(2);
    expect(ctx.stderr()).toContain("did you mean 'vanilla-inflation'?");
  });

  it("explains a diagnostic code from the registry, and refuses one that is not there", async () => {
    const ctx = capture(root);
    expect(await runExplainCommand("e022", {}, ctx)).toBe(0);
    expect(ctx.stdout()).toContain("# E022");
    expect(ctx.stdout()).toContain("model needs a backbone");
    const bad = capture(root);
    expect(await runExplainCommand("E099", {}, bad)).toBe(2);
    expect(bad.stderr()).toContain("unknown diagnostic code 'E099'");
  });

  it("explains data check's codes too (D0xx, from the same registry)", async () => {
    const ctx = capture(root);
    expect(await runExplainCommand("d011", {}, ctx)).toBe(0);
    expect(ctx.stdout()).toContain("# D011");
    expect(ctx.stdout()).toContain("fails its CRC-32 check");
  });

  it("--list prints every rule; --list with a rule is a usage error, not a silent list", async () => {
    const ctx = capture(root);
    expect(await runExplainCommand(undefined, { list: true }, ctx)).toBe(0);
    expect(ctx.stdout().trim().split("\n").length).toBe(16);
    const both = capture(root);
    expect(await runExplainCommand("balance", { list: true }, both)).toBe(2);
    expect(both.stdout()).toBe("");
    expect(both.stderr()).toContain("give either --list or a rule or code ('balance'), not both");
  });
});
