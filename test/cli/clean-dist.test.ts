// `npm run build` starts by emptying dist/ of what it writes again and of what an older
// build left (scripts/clean-dist.mjs), keeping dist/snapshot: the package never ships a
// compiled module whose source is gone.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../helpers.js";

test("clean-dist removes dist/src, dist/test and the rest, and keeps dist/snapshot", () => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-dist-"));
  for (const f of ["src/runtime/train/results.js", "test/old.test.js", "bench/step.js", "wasm/train.wasm", "snapshot/adainfc.blob", "snapshot/stamp"]) {
    fs.mkdirSync(path.dirname(path.join(dist, f)), { recursive: true });
    fs.writeFileSync(path.join(dist, f), "");
  }
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "clean-dist.mjs"), dist], { encoding: "utf8" });
  expect(r.status).toBe(0);
  expect(fs.readdirSync(dist)).toEqual(["snapshot"]);
  expect(fs.readdirSync(path.join(dist, "snapshot")).sort()).toEqual(["adainfc.blob", "stamp"]);
});

test("the build's first step is clean-dist", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  expect(pkg.scripts["build"]).toMatch(/^node scripts\/clean-dist\.mjs && tsc /);
});

const built = path.join(ROOT, "dist", "src");
test.skipIf(!fs.existsSync(built))("every compiled module in dist/src has its source in src/", () => {
  const orphans: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".js")) {
        const rel = path.relative(built, p).replace(/\.js$/, "");
        if (![".ts", ".tsx"].some((x) => fs.existsSync(path.join(ROOT, "src", rel + x)))) orphans.push(rel);
      }
    }
  };
  walk(built);
  expect(orphans).toEqual([]);
});
