// Lint on a sweep names the points a finding holds on, in every format: a finding on
// some points says which (message, JSON `points`, SARIF `properties.points`); one found
// identically on every point is reported once, with no points, as `check` does. The
// report's rows (the seeds of one setting) use the same grouping.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runLintCommand } from "../../src/cli/commands/lint.js";
import type { CliContext } from "../../src/cli/context.js";
import type { Diagnostic } from "../../src/check/diagnostic.js";
import { groupByPoint, pointName, pointsLabel } from "../../src/check/points.js";
import { compileFile } from "../../src/driver.js";
import type { FrontEnd } from "../../src/lint/frontend.js";
import { mergeFindings, type PointLint } from "../../src/report/lint-points.js";
import { formatText } from "../../src/syntax/format.js";
import { SWEEP } from "./sweep-fixture.js";

const frontEnd: FrontEnd = { compileFile, formatText };

const VANILLA = [
  { inflation: "vanilla", seed: "0" },
  { inflation: "vanilla", seed: "1" },
];
const ADAINF = [
  { inflation: "adainf", seed: "0" },
  { inflation: "adainf", seed: "1" },
];

async function lintSweep(format: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-sweep-lint-"));
  fs.writeFileSync(path.join(dir, "grid.adainf"), SWEEP);
  let out = "";
  const ctx: CliContext = { cwd: dir, color: false, out: (t) => void (out += t), err: () => undefined };
  expect(await runLintCommand(["grid.adainf"], { format }, ctx, { frontEnd })).toBe(0);
  return out;
}

describe("naming points", () => {
  it("names a point by its coordinates and a group by its first point and how many more", () => {
    expect(pointName({ inflation: "none", "augment.strength": "0.5" })).toBe("inflation=none,augment.strength=0.5");
    expect(pointsLabel([{ seed: "0" }])).toBe("[seed=0]");
    expect(pointsLabel([{ seed: "0" }, { seed: "1" }])).toBe("[seed=0 and 1 more point]");
    expect(pointsLabel([{ seed: "0" }, { seed: "1" }, { seed: "2" }])).toBe("[seed=0 and 2 more points]");
  });

  it("names the shared axis values when the points are exactly the sweep's points that have them", () => {
    const grid = ["none", "vanilla", "adainf"].flatMap((inflation) => ["0", "1"].map((seed) => ({ inflation, seed })));
    const vanilla = grid.filter((p) => p.inflation === "vanilla");
    expect(pointsLabel(vanilla, grid)).toBe("[inflation=vanilla]");
    expect(pointsLabel([grid[0]!], grid)).toBe("[inflation=none,seed=0]");
    expect(
      pointsLabel(
        grid.filter((p) => p.seed === "1"),
        grid,
      ),
    ).toBe("[seed=1]");
    // Not a sub-grid: vanilla's two seeds and one of adainf's.
    expect(pointsLabel([...vanilla, grid[4]!], grid)).toBe("[inflation=vanilla,seed=0 and 2 more points]");
  });

  it("groups a problem across runs: once, labelled when not on every point", () => {
    const d = (message: string): Diagnostic => ({ code: "x", severity: "warning", message, span: null });
    const grouped = groupByPoint([
      { point: { seed: "0" }, diagnostics: [d("everywhere"), d("first"), d("first")] },
      { point: { seed: "1" }, diagnostics: [d("everywhere")] },
    ]);
    expect(grouped).toEqual([d("everywhere"), { ...d("[seed=0] first"), points: [{ seed: "0" }] }]);
    // without a sweep nothing is labelled
    expect(groupByPoint([{ point: null, diagnostics: [d("a")] }])).toEqual([d("a")]);
  });
});

describe("lint on a sweep", () => {
  it("text: each finding once, with its points when not all", async () => {
    const text = await lintSweep("text");
    const heads = text.split("\n").filter((l) => /^grid\.adainf:\d+:\d+: /.test(l));
    const balance = heads.filter((l) => l.includes("[balance]"));
    expect(balance).toHaveLength(2);
    expect(balance[0]).toContain("warning[balance]: [inflation=vanilla] ");
    expect(balance[0]).toContain("g = 0.909");
    expect(balance[1]).toContain("warning[balance]: [inflation=adainf] ");
    expect(balance[1]).toContain("g = 0.500");
    expect(heads.filter((l) => l.includes("[vanilla-inflation]"))).toEqual([
      expect.stringContaining("[vanilla-inflation]: [inflation=vanilla] vanilla inflation"),
    ]);
    // identical on all six points: once, no label
    expect(heads.filter((l) => l.includes("[lint-config]"))).toEqual([
      "grid.adainf:9:16: warning[lint-config]: the lint block names an unknown rule 'no-such-rule'",
    ]);
    expect(heads.filter((l) => l.includes("[noop-ops]"))).toHaveLength(3);
    for (const l of heads.filter((l) => l.includes("[noop-ops]"))) expect(l).not.toContain("point");
    expect(text).toContain("(6 pipelines)");
  });

  it("json: `points` lists the coordinates, null when the finding holds everywhere", async () => {
    const doc = JSON.parse(await lintSweep("json")) as {
      pipelines: { name: string; point: Record<string, string> | null }[];
      diagnostics: { code: string; message: string; points: Record<string, string>[] | null }[];
    };
    const balance = doc.diagnostics.filter((d) => d.code === "balance");
    expect(balance.map((d) => d.points)).toEqual([VANILLA, ADAINF]);
    expect(doc.diagnostics.find((d) => d.code === "vanilla-inflation")!.points).toEqual(VANILLA);
    expect(doc.diagnostics.find((d) => d.code === "lint-config")!.points).toBeNull();
    expect(doc.diagnostics.filter((d) => d.code === "noop-ops").map((d) => d.points)).toEqual([null, null, null]);
    expect(doc.pipelines[0]).toMatchObject({ name: "grid[inflation=none,seed=0]", point: { inflation: "none", seed: "0" } });
  });

  it("sarif: the message names the points and `properties.points` lists them", async () => {
    const log = JSON.parse(await lintSweep("sarif")) as {
      runs: { results: { ruleId: string; message: { text: string }; properties?: { points: Record<string, string>[] } }[] }[];
    };
    const results = log.runs[0]!.results;
    const balance = results.filter((r) => r.ruleId === "balance");
    expect(balance.map((r) => r.properties?.points)).toEqual([VANILLA, ADAINF]);
    expect(balance[0]!.message.text).toMatch(/^\[inflation=vanilla\] .*g = 0\.909/);
    expect(balance[1]!.message.text).toMatch(/^\[inflation=adainf\] .*g = 0\.500/);
    const config = results.filter((r) => r.ruleId === "lint-config");
    expect(config).toHaveLength(1);
    expect(config[0]!.properties).toBeUndefined();
    expect(config[0]!.message.text).toMatch(/^the lint block names/);
  });
});

describe("the report's rows", () => {
  it("merge the seeds' findings, naming the seeds a finding holds on when not all", () => {
    const base = { quantities: undefined as unknown as PointLint["quantities"] };
    const f = (message: string) => ({ code: "balance", severity: "warning" as const, message, hint: null });
    const rows: PointLint[] = [
      { ...base, point: { inflation: "vanilla", seed: "0" }, findings: [f("both"), f("only seed 0")] },
      { ...base, point: { inflation: "vanilla", seed: "1" }, findings: [f("both")] },
    ];
    expect(mergeFindings(rows).map((x) => x.message)).toEqual(["both", "[seed=0] only seed 0"]);
    expect(mergeFindings([{ ...base, point: null, findings: [f("single run")] }]).map((x) => x.message)).toEqual(["single run"]);
  });
});
