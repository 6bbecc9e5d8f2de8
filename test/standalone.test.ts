// The project stands alone: no tracked file cites the team's source notes (reference.md)
// or anything beside the checkout (../shared, /work/...), which a user does not have;
// the project's own docs/paper.md says what the paper and its reference code give us.
// The one exception compares docs/paper.md against those notes when they happen to be
// there (test/resolve/paper-pipelines.test.ts; skipped elsewhere). And the benchmarks
// find the PyTorch reference script only where they are told (bench/torch-reference.ts).

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { torchReferenceScript } from "../bench/torch-reference.js";
import { ROOT } from "./helpers.js";

const ALLOWED = new Set(["test/resolve/paper-pipelines.test.ts", "test/standalone.test.ts"]);
const OUTSIDE = [/reference\.md/, /\.\.\/shared\b/, /\/work\//];

const listed = spawnSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" });
const tracked = listed.status === 0 ? listed.stdout.split("\0").filter(Boolean) : null;

describe("the repository stands alone", () => {
  it.skipIf(tracked === null)("no tracked file cites reference.md, ../shared or /work/ (outside the checkout)", () => {
    const found: string[] = [];
    for (const file of tracked!) {
      if (ALLOWED.has(file)) continue;
      const full = path.join(ROOT, file);
      if (!fs.existsSync(full) || !fs.statSync(full).isFile()) continue;
      const text = fs.readFileSync(full);
      if (text.includes(0)) continue; // binary (images, wasm)
      text
        .toString("utf8")
        .split("\n")
        .forEach((line, i) => {
          if (OUTSIDE.some((re) => re.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("README links docs/paper.md, and its sections exist", () => {
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain("(docs/paper.md)");
    const paper = fs.readFileSync(path.join(ROOT, "docs", "paper.md"), "utf8");
    const sections = new Set([...paper.matchAll(/^##+ (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]));
    // Every `docs/paper.md §N` cited in a tracked file names a section that exists.
    const cited = new Set<string>();
    for (const file of tracked ?? []) {
      const full = path.join(ROOT, file);
      if (!/\.(ts|md|adainf|mjs|sh|py)$/.test(file) || !fs.existsSync(full)) continue;
      for (const m of fs.readFileSync(full, "utf8").matchAll(/docs\/paper\.md §(\d+(?:\.\d+)?)/g)) cited.add(m[1]!);
    }
    expect(cited.size).toBeGreaterThan(0);
    for (const s of cited) expect(sections, `docs/paper.md has no section ${s}`).toContain(s);
  });
});

describe("benchmarks find the PyTorch reference only where told", () => {
  const file = path.join(ROOT, "package.json"); // any existing file
  const env = process.env["ADAINF_TORCH_REFERENCE"];
  const withEnv = (value: string | undefined, f: () => void) => {
    if (value === undefined) delete process.env["ADAINF_TORCH_REFERENCE"];
    else process.env["ADAINF_TORCH_REFERENCE"] = value;
    try {
      f();
    } finally {
      if (env === undefined) delete process.env["ADAINF_TORCH_REFERENCE"];
      else process.env["ADAINF_TORCH_REFERENCE"] = env;
    }
  };

  it("uses --torch-reference first, then ADAINF_TORCH_REFERENCE, and guesses nothing", () => {
    withEnv(undefined, () => {
      expect(torchReferenceScript(["node", "b.js"])).toEqual({ missing: expect.stringMatching(/ADAINF_TORCH_REFERENCE or pass --torch-reference/) });
      expect(torchReferenceScript(["node", "b.js", "--torch-reference", file])).toEqual({ script: file });
      expect(torchReferenceScript(["node", "b.js", "--torch-reference", "/nonexistent/t.py"])).toEqual({
        missing: "PyTorch reference /nonexistent/t.py does not exist",
      });
    });
    withEnv(file, () => {
      expect(torchReferenceScript(["node", "b.js"])).toEqual({ script: file });
    });
  });
});
