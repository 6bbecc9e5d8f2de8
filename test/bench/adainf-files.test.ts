// The pipelines the device check runs (bench/gpu-paper.adainf, bench/gpu-parity.adainf)
// check and lint without errors or warnings with the built CLI, so a language change cannot break them unseen
// until a device call, which no session can repeat at will.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const files = fs
  .readdirSync(path.join(ROOT, "bench"))
  .filter((f) => f.endsWith(".adainf"))
  .map((f) => path.join("bench", f));

it("every bench/*.adainf lints with no error or warning", () => {
  expect(files).toEqual(expect.arrayContaining(["bench/gpu-paper.adainf", "bench/gpu-parity.adainf"]));
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "adainfc.js"), "lint", ...files], { cwd: ROOT, encoding: "utf8" });
  // (infos only: the paper run's data files are written on the device)
  expect(r.stderr + r.stdout).not.toMatch(/(error|warning)\[/);
  expect(r.status).toBe(0);
});
