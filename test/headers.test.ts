// House style, checked: every TypeScript and script file of the project begins with its
// short header comment (before its imports), so a reader learns what a file is for from
// its first lines. Generated files and AssemblyScript configs are not ours to describe.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const FOLDERS = ["src", "test", "bench", "grammar", "scripts", "editors/vscode/src"];
const SKIP = /(^|\/)(node_modules|dist|out)(\/|$)|\.d\.ts$|\.generated\./;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (SKIP.test(relative(ROOT, p))) continue;
    if (e.isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|mjs|js)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe("header comments", () => {
  it("every source, test, bench, grammar and script file starts with one", () => {
    const all = FOLDERS.flatMap((f) => files(join(ROOT, f)));
    expect(all.length).toBeGreaterThan(300);
    const missing = all.filter((p) => !/^(\/\/|\/\*|#!)/.test(readFileSync(p, "utf8").replace(/^\uFEFF/, ""))).map((p) => relative(ROOT, p));
    expect(missing).toEqual([]);
  });
});
