// `lint --format sarif` checked by Microsoft's SARIF validator (`sarif-multitool
// validate`, the devDependency @microsoft/sarif-multitool), at every level: no error
// and no warning on the paper's pipelines (pipelines/, a sweep among them), on a sweep
// whose findings differ between points, on files with compile errors and info-level
// findings, and on a mistake in a `--set` argument. The notes that remain are the four
// listed in ACCEPTED_NOTES, each with why. Skips, saying why, only where the
// validator's binary cannot run.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runLintCommand } from "../../src/cli/commands/lint.js";
import type { CliContext } from "../../src/cli/context.js";
import { compileFile } from "../../src/driver.js";
import type { FrontEnd } from "../../src/lint/frontend.js";
import { formatText } from "../../src/syntax/format.js";
import { SWEEP } from "./sweep-fixture.js";

const root = path.resolve(__dirname, "../..");
const frontEnd: FrontEnd = { compileFile, formatText };

/** Notes the validator gives that we keep on purpose. */
const ACCEPTED_NOTES: Record<string, string> = {
  // "use message id + arguments instead of text": GitHub code scanning requires message.text.
  SARIF2002: "message text",
  // "provide versionControlProvenance": lint does not know the repository or revision.
  SARIF2003: "version control provenance",
  // "$schema URI not reachable": the validator checks it over the network, which a test may lack.
  SARIF2006: "schema URI reachable",
  // "rule ids like CS2001": our ids are the ESLint-style names users write in `allow(...)`.
  SARIF2009: "rule id format",
};

/** The validator's binary, or why it cannot run here. */
function validatorBinary(): { bin: string } | { skip: string } {
  let bin: string;
  try {
    bin = createRequire(import.meta.url)("@microsoft/sarif-multitool") as string;
  } catch (e) {
    return { skip: `no sarif-multitool binary for ${process.platform} (${(e as Error).message.split("\n")[0]})` };
  }
  const probe = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 60_000 });
  if (probe.error) return { skip: `${bin} does not start: ${probe.error.message}` };
  if (probe.status !== 0) return { skip: `${bin} --version exits ${probe.status}: ${(probe.stderr || probe.stdout).trim().split("\n")[0]}` };
  return { bin };
}

const validator = validatorBinary();
const skip = "skip" in validator ? validator.skip : null;

interface ValidatorResult {
  ruleId: string;
  level?: string;
  message: { text?: string; arguments?: string[] };
}

/** Lints `paths` from `cwd` as SARIF, validates the log, returns our log and the validator's findings. */
async function lintAndValidate(
  cwd: string,
  paths: string[],
  set: string[] = [],
): Promise<{ log: { runs: { results: { ruleId: string; level: string }[] }[] }; findings: ValidatorResult[] }> {
  let out = "";
  const ctx: CliContext = { cwd, color: false, out: (t) => void (out += t), err: () => undefined };
  await runLintCommand(paths, { format: "sarif", set }, ctx, { frontEnd });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-sarif-"));
  const input = path.join(tmp, "lint.sarif");
  const output = path.join(tmp, "validation.sarif");
  fs.writeFileSync(input, out);
  const run = spawnSync(
    (validator as { bin: string }).bin,
    [
      "validate",
      input,
      "--output",
      output,
      "--log",
      "ForceOverwrite",
      "--quiet",
      "--level",
      "Error;Warning;Note",
      "--kind",
      "Fail;Pass;Review;Open;NotApplicable;Informational",
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  expect(run.error, String(run.error)).toBeUndefined();
  const report = JSON.parse(fs.readFileSync(output, "utf8")) as {
    runs: { invocations: { executionSuccessful: boolean }[]; results?: ValidatorResult[] }[];
  };
  expect(report.runs[0]!.invocations[0]!.executionSuccessful).toBe(true);
  return { log: JSON.parse(out), findings: report.runs[0]!.results ?? [] };
}

function expectClean(findings: ValidatorResult[]): void {
  const describe = (r: ValidatorResult) => `${r.level ?? "warning"} ${r.ruleId}: ${r.message.text ?? (r.message.arguments ?? []).join(", ")}`;
  // SARIF's default level is warning: a result without one counts as a warning.
  expect(findings.filter((r) => (r.level ?? "warning") !== "note").map(describe)).toEqual([]);
  const unexpected = findings.filter((r) => !(r.ruleId in ACCEPTED_NOTES)).map(describe);
  expect(unexpected).toEqual([]);
}

function tempProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-sarif-lint-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe.skipIf(skip !== null)(`SARIF validated by sarif-multitool${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("the paper's pipelines (and the story sweep) validate with no error or warning", { timeout: 180_000 }, async () => {
    const { log, findings } = await lintAndValidate(root, ["pipelines"]);
    expect(log.runs[0]!.results.length).toBeGreaterThan(10);
    expectClean(findings);
  });

  it("a sweep with findings on some points", { timeout: 180_000 }, async () => {
    const { log, findings } = await lintAndValidate(tempProject({ "grid.adainf": SWEEP }), ["grid.adainf"]);
    expect(log.runs[0]!.results.some((r) => r.ruleId === "balance")).toBe(true);
    expectClean(findings);
  });

  it("compile errors, an error on one point of a sweep, and info-level (note) findings", { timeout: 180_000 }, async () => {
    const dir = tempProject({
      // batch 0 is out of range on one point; the npz has no size to read (unknown-size, info)
      "bad.adainf": `pipeline broken from simclr {
  data {
    real = cifar10("c", split = train)
    generated = npz("missing.npz", fid = 3, channels = rgb)
    eval = cifar10("c", split = test)
  }
  inflate { real x 10; generated x 1 }
  augment = symmetric_adainf
  sweep { train.batch_size = [64, 0] }
}
`,
      "parse.adainf": "pipeline parse_error {\n  augment = = symmetric\n}\n",
    });
    const { log, findings } = await lintAndValidate(dir, ["."]);
    const levels = log.runs[0]!.results.map((r) => `${r.ruleId}:${r.level}`).sort();
    expect(levels).toEqual(["E002:error", "E021:error", "unknown-size:note"]);
    expectClean(findings);
  });

  it("a mistake in a --set argument (an artifact with the text, under its own base URI)", { timeout: 180_000 }, async () => {
    const { log, findings } = await lintAndValidate(root, ["pipelines/simclr_adainf.adainf"], ["train.step=5"]);
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toContain("E011");
    expectClean(findings);
  });
});
