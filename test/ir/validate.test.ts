// The IR validator's messages say where, what was expected and what was found; a union
// (a builtin family) is explained by the member its tag selects. The build's precompiled
// validator (dist/, IR_VALIDATOR_OPTIONS) says the same as the tests' compiled one. An IR
// of another version says so first, in checkedIR and readRunIR alike.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { readRunIR } from "../../src/formats/run-dir.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { usePrecompiledValidator, validateIR, type ValidateFn } from "../../src/ir/validate.js";
import { edit, ROOT } from "../helpers.js";
import { tinyProject } from "../train/fixtures.js";

let good: PipelineIR;
beforeAll(() => {
  const dir = tinyProject({ steps: 1 });
  good = compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir;
});

const cases: [string, (ir: unknown) => unknown, string][] = [
  [
    "version 0",
    (ir: unknown) => edit(ir, "version", 0),
    "/version must be 1, found 0 (this adainf reads IR version 1: compile the pipeline again, adainfc compile --emit ir)",
  ],
  // Another version is named before whatever else differs (the validator stops at its first problem).
  [
    "a newer IR with a field added since",
    (ir: unknown) => {
      edit(ir, "version", 2);
      edit(ir, "train.foo", 1);
    },
    "/version must be 1, found 2 (this adainf reads IR version 1: the IR was made by a newer adainfc)",
  ],
  [
    "a newer IR without a field",
    (ir: unknown) => {
      edit(ir, "version", 2);
      edit(ir, "file", undefined);
    },
    "/version must be 1, found 2 (this adainf reads IR version 1: the IR was made by a newer adainfc)",
  ],
  ["version '1'", (ir: unknown) => edit(ir, "version", "1"), '/version must be 1, found "1"'],
  ["steps -3", (ir: unknown) => edit(ir, "train.steps", -3), "/train/steps must be >= 1, found -3"],
  [
    "lars's lr null (its own member, not another optimiser's)",
    (ir: unknown) => edit(ir, "train.optimizer.lr", null),
    "/train/optimizer/lr must be a number, found null",
  ],
  ["adamw without its betas", (ir: unknown) => edit(ir, "train.optimizer.name", "adamw"), "/train/optimizer/beta1 is missing"],
  [
    "an unknown optimiser",
    (ir: unknown) => edit(ir, "train.optimizer.name", "rmsprop"),
    '/train/optimizer/name must be one of "lars", "sgd", "adamw", found "rmsprop"',
  ],
  ["a missing field", (ir: unknown) => edit(ir, "train.steps", undefined), "/train/steps is missing"],
  ["an extra field", (ir: unknown) => edit(ir, "output.extra", 1), "/output/extra is not a field of /output"],
  ["a nullable field of another type", (ir: unknown) => edit(ir, "data.eval", 3), "/data/eval must be a string or null, found 3"],
  ["a bad field of a nullable node", (ir: unknown) => edit(ir, "evaluate.knn.k", 0), "/evaluate/knn/k must be >= 1, found 0"],
  ["no views", (ir: unknown) => edit(ir, "augment.views", []), "/augment/views must have at least 1 item, found an array of 0"],
  ["not an object", () => [1, 2], "the IR must be an object, found an array of 2"],
];

function check(validate: () => (ir: unknown) => string[]): void {
  test.each(cases)("%s", (_, change, says) => {
    const ir = structuredClone(good);
    const replaced = change(ir);
    expect(validate()(replaced ?? ir)).toEqual([says]);
  });
  test("a valid IR has no problem", () => expect(validate()(good)).toEqual([]));
}

describe("validateIR (the schema compiled by the tests)", () => {
  check(() => validateIR);
});

const built = join(ROOT, "dist", "src", "ir", "validate-ir.generated.cjs");
describe.skipIf(!existsSync(built))("the build's precompiled validator says the same", () => {
  check(() => {
    usePrecompiledValidator(createRequire(import.meta.url)(built) as ValidateFn);
    return validateIR;
  });
});

test("a run's ir.json from a newer adainfc says so, whatever field it added", () => {
  const ir = structuredClone(good) as unknown;
  edit(ir, "version", 2);
  edit(ir, "train.foo", 1);
  const file = join(mkdtempSync(join(tmpdir(), "adainf-ir-")), "ir.json");
  writeFileSync(file, JSON.stringify(ir));
  expect(readRunIR(file)).toEqual({
    problem: "schema",
    detail: "/version must be 1, found 2 (this adainf reads IR version 1: the IR was made by a newer adainfc)",
  });
});
