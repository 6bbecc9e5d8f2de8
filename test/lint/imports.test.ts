// `adainfc lint` must never load tfjs nor an image decoder (issue 3: no pixels, cold
// start under 300 ms). This walks every module the lint and explain commands can reach,
// through static imports and literal dynamic imports, and lists the packages they use.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const IMPORT = /(?:^|[^.\w])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

function reachable(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const stack = [path.join(root, entry)];
  while (stack.length) {
    const file = stack.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith(".")) {
        const ts = path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts");
        if (fs.existsSync(ts)) stack.push(ts);
      } else {
        packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
      }
    }
  }
  return { modules, packages };
}

describe("what the lint command loads", () => {
  for (const entry of ["src/cli/commands/lint.ts", "src/cli/commands/explain.ts"]) {
    it(`${entry} reaches no tfjs and no image decoder`, () => {
      const { modules, packages } = reachable(entry);
      expect(modules.size).toBeGreaterThan(entry.endsWith("lint.ts") ? 10 : 3);
      for (const p of packages) expect(p, `${entry} reaches package ${p}`).not.toMatch(/^@tensorflow\/|^sharp$|^pngjs$|^mnist$/);
      for (const m of modules) expect(path.relative(root, m)).not.toMatch(/^src\/runtime\/(backend|augment|models|methods|train)\//);
    });
  }

  it("the walker sees the lint engine and the front end", () => {
    const { modules } = reachable("src/cli/commands/lint.ts");
    const rel = [...modules].map((m) => path.relative(root, m));
    expect(rel).toContain("src/lint/engine.ts");
    expect(rel).toContain("src/lint/rules/balance.ts");
    expect(rel).toContain("src/driver.ts");
  });
});
