// The three output formats on the paper's 12 pipelines (hand-built IR): the acceptance
// criterion of issue 3 must hold in every one of them.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/check/diagnostic.js";
import { lintWithSizes, type PipelineLintResult } from "../../src/lint/engine.js";
import { renderJson } from "../../src/lint/reporters/json.js";
import { toSarif } from "../../src/lint/reporters/sarif.js";
import { quantitiesLine, renderText } from "../../src/lint/reporters/text.js";
import { ALL_RULES } from "../../src/lint/rules/index.js";
import { METHODS, MODES, paperPipeline } from "./fixtures.js";

const results: PipelineLintResult[] = [];
for (const m of METHODS) for (const mode of MODES) results.push(lintWithSizes({ ir: paperPipeline(m, mode), spans: {} }, {}));
const all: Diagnostic[] = results.flatMap((r) => r.diagnostics);

function expectAcceptance(byPipeline: Map<string, string[]>) {
  for (const m of METHODS) {
    expect(byPipeline.get(`${m}_vanilla`)).toEqual(expect.arrayContaining(["vanilla-inflation", "balance"]));
    expect(byPipeline.get(`${m}_none`) ?? []).toEqual([]);
    expect(byPipeline.get(`${m}_adainf`) ?? []).toEqual([]);
  }
}

const pipelineOfFile = (file: string) => file.replace(/^pipelines\//, "").replace(/\.adainf$/, "");

describe("acceptance in every format", () => {
  it("text", () => {
    const text = renderText(all, results, () => null, false);
    const by = new Map<string, string[]>();
    for (const m of text.matchAll(/^pipelines\/(\w+)\.adainf:\d+:\d+: (\w+)\[([\w-]+)\]/gm)) {
      expect(m[2]).toBe("warning");
      by.set(m[1]!, [...(by.get(m[1]!) ?? []), m[3]!]);
    }
    expectAcceptance(by);
    expect(text).toContain("12 pipelines");
    expect(text).not.toMatch(/\x1b\[/); // no colour codes when colour is off
  });

  it("json", () => {
    const doc = JSON.parse(renderJson(all, results)) as {
      pipelines: { name: string; generatedShare: number; inflationFactor: number; strength: number }[];
      diagnostics: { code: string; file: string; severity: string }[];
      summary: { errors: number; warnings: number };
    };
    const by = new Map<string, string[]>();
    for (const d of doc.diagnostics) by.set(pipelineOfFile(d.file), [...(by.get(pipelineOfFile(d.file)) ?? []), d.code]);
    expectAcceptance(by);
    expect(doc.summary.errors).toBe(0);
    expect(doc.summary.warnings).toBe(doc.diagnostics.length);
    const vanilla = doc.pipelines.find((p) => p.name === "simclr_vanilla")!;
    expect(vanilla.generatedShare).toBeCloseTo(0.952, 3);
    expect(vanilla.inflationFactor).toBe(21);
    expect(vanilla.strength).toBeCloseTo(1, 9);
  });

  it("sarif", () => {
    const sarif = toSarif(all, results, { version: "0.1.0" }) as SarifLog;
    const by = new Map<string, string[]>();
    for (const r of sarif.runs[0]!.results) {
      const uri = r.locations![0]!.physicalLocation.artifactLocation.uri;
      by.set(pipelineOfFile(uri), [...(by.get(pipelineOfFile(uri)) ?? []), r.ruleId]);
    }
    expectAcceptance(by);
  });
});

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version?: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          fullDescription?: { text: string };
          help?: { text: string };
          defaultConfiguration: { level: string };
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations?: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[];
      fixes?: { artifactChanges: { replacements: { deletedRegion: { charOffset: number; charLength: number }; insertedContent: { text: string } }[] }[] }[];
    }[];
  }[];
}

describe("SARIF 2.1.0 structure", () => {
  const span = { file: "./pipelines/x.adainf", line: 3, column: 5, endLine: 3, endColumn: 9, start: 40, end: 44 };
  const diags: Diagnostic[] = [
    { code: "balance", severity: "warning", message: "m1", span, hint: "h", fix: [{ span, text: "symmetric_adainf" }] },
    { code: "generated-eval", severity: "error", message: "m2", span },
    { code: "unknown-size", severity: "info", message: "m3", span: null },
    { code: "E007", severity: "error", message: "compile error", span },
  ];
  const log = toSarif(diags, []) as SarifLog;
  const run = log.runs[0]!;

  it("has the schema, version and driver", () => {
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.version).toBe("2.1.0");
    expect(run.tool.driver.name).toBe("adainfc");
  });

  it("describes every lint rule, then compile codes that occurred", () => {
    const rules = run.tool.driver.rules;
    expect(rules.slice(0, ALL_RULES.length).map((r) => r.id)).toEqual(ALL_RULES.map((r) => r.meta.id));
    for (const r of rules.slice(0, ALL_RULES.length)) {
      expect(r.shortDescription.text.length).toBeGreaterThan(10);
      expect(r.fullDescription!.text.length).toBeGreaterThan(10);
      expect(r.help!.text.length).toBeGreaterThan(10);
      expect(["error", "warning", "note"]).toContain(r.defaultConfiguration.level);
    }
    expect(rules.find((r) => r.id === "generated-eval")!.defaultConfiguration.level).toBe("error");
    expect(rules.find((r) => r.id === "unknown-size")!.defaultConfiguration.level).toBe("note");
    expect(rules.at(-1)!.id).toBe("E007");
  });

  it("maps levels, locations, rule indices and fixes", () => {
    expect(run.results.map((r) => r.level)).toEqual(["warning", "error", "note", "error"]);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    const loc = run.results[0]!.locations![0]!.physicalLocation;
    expect(loc.artifactLocation.uri).toBe("pipelines/x.adainf");
    expect(loc.region).toEqual({ startLine: 3, startColumn: 5, endLine: 3, endColumn: 9 });
    expect(run.results[0]!.message.text).toBe("m1 (h)");
    expect(run.results[2]!.locations).toBeUndefined();
    const rep = run.results[0]!.fixes![0]!.artifactChanges[0]!.replacements[0]!;
    expect(rep).toEqual({ deletedRegion: { charOffset: 40, charLength: 4 }, insertedContent: { text: "symmetric_adainf" } });
  });
});

describe("SARIF driver, rule names, snippets", () => {
  const source = "pipeline x {\n  data {}\n  augment = symmetric\n}\n";
  const span = { file: "x.adainf", line: 3, column: 13, endLine: 3, endColumn: 22, start: 35, end: 44 };
  const diags: Diagnostic[] = [
    { code: "balance", severity: "warning", message: "m", span },
    { code: "E021", severity: "error", message: "e", span, points: [{ seed: "1" }] },
    { code: "W002", severity: "warning", message: "w", span: null },
    { code: "lint-config", severity: "warning", message: "c", span: null },
  ];
  const log = toSarif(diags, [], { sources: (f) => (f === "x.adainf" ? source : null) }) as SarifLog;
  const driver = log.runs[0]!.tool.driver as SarifLog["runs"][0]["tool"]["driver"] & { informationUri: string };
  const rules = driver.rules as { id: string; name?: string; helpUri?: string }[];

  it("gives the package's version and documentation", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { version: string };
    expect(driver.version).toBe(pkg.version);
    expect(driver.informationUri).toBe(pathToFileURL(path.resolve(__dirname, "../../README.md")).href);
    for (const r of rules.slice(0, ALL_RULES.length)) {
      expect(fs.existsSync(fileURLToPath(r.helpUri!)), r.helpUri).toBe(true);
      expect(r.helpUri).toMatch(new RegExp(`/docs/rules/${r.id}\\.md$`));
    }
    // A compile code links to its section of docs/diagnostics.md: a fragment, not a file named `...#e021`.
    const e021 = new URL(rules.find((r) => r.id === "E021")!.helpUri!);
    expect(e021.hash).toBe("#e021");
    expect(e021.pathname).toMatch(/\/docs\/diagnostics\.md$/);
    expect(fs.readFileSync(fileURLToPath(e021), "utf8")).toMatch(/^## E021$/m);
    // A bad `lint { ... }` entry links to lint's configuration section.
    const config = new URL(rules.find((r) => r.id === "lint-config")!.helpUri!);
    expect(config.hash).toBe("#configuration");
    expect(fs.readFileSync(fileURLToPath(config), "utf8")).toMatch(/^## Configuration$/m);
  });

  it("names every rule in PascalCase, unlike its id and every other name", () => {
    const names = rules.map((r) => r.name!);
    for (const r of rules) {
      expect(r.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(r.name!.toLowerCase()).not.toBe(r.id.toLowerCase());
    }
    expect(new Set(names).size).toBe(names.length);
    expect(rules.slice(ALL_RULES.length).map((r) => [r.id, r.name])).toEqual([
      ["E021", "CompileErrorE021"],
      ["W002", "CompileWarningW002"],
      ["lint-config", "LintConfig"],
    ]);
  });

  it("shows the source of a region and its lines around, and the points of a finding", () => {
    const results = log.runs[0]!.results as unknown as {
      properties?: { points: unknown };
      locations?: {
        physicalLocation: { region: { snippet?: { text: string } }; contextRegion?: { startLine: number; endLine: number; snippet: { text: string } } };
      }[];
    }[];
    const loc = results[0]!.locations![0]!.physicalLocation;
    expect(loc.region.snippet).toEqual({ text: "symmetric" });
    expect(loc.contextRegion).toEqual({ startLine: 2, endLine: 4, snippet: { text: "  data {}\n  augment = symmetric\n}" } });
    expect(results[0]!.properties).toBeUndefined();
    expect(results[1]!.properties).toEqual({ points: [{ seed: "1" }] });
  });
});

describe("quantities line", () => {
  it("prints unknowns as ?", () => {
    const q = results[1]!.quantities;
    expect(quantitiesLine("x", { ...q, generatedShare: null, inflationFactor: null })).toMatch(/^x: g = \?, f = \?, a = 1\.00/);
  });
});
