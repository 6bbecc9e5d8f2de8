// The layers as the tree shows them, checked on the import statements of src/:
// - the runtime (the public API programs import) never imports the CLI, which owns the
//   exit codes (the runtime's errors carry a kind, the CLI maps it);
// - the front end, the linter, the emitters and the language server (syntax, resolve, ir,
//   lint, check, emit, lsp) and the file formats (src/formats: npz headers, run
//   directories) load no tfjs and nothing of the runtime (an emitted program names the runtime by its package, `adainf`);
// - src/ir, which every later phase reads, imports nothing else of src/ (not the file
//   formats that read it: the seed axis is the IR's, re-exported by formats/results.ts),
//   but src/util/shell-quote.ts (which imports nothing) for the commands it prints;
// - the report reads run directories through src/formats; it loads runtime code only
//   lazily, for the augmentation preview's pixels.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const SRC = path.join(ROOT, "src");

interface Import {
  file: string;
  spec: string;
  dynamic: boolean;
  /** The resolved path under the repository for a relative import, else null. */
  target: string | null;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, "utf8");
  const out: Import[] = [];
  const add = (spec: string, dynamic: boolean) =>
    out.push({
      file: path.relative(ROOT, file),
      spec,
      dynamic,
      target: spec.startsWith(".") ? path.relative(ROOT, path.resolve(path.dirname(file), spec)) : null,
    });
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/gms)) add(m[1]!, false);
  for (const m of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) add(m[1]!, false);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) add(m[1]!, true);
  return out;
}

function importsUnder(...dirs: string[]): Import[] {
  return dirs.flatMap((d) => sources(path.join(SRC, d)).flatMap(importsOf));
}

const under = (i: Import, dir: string) => i.target !== null && (i.target === `src/${dir}` || i.target.startsWith(`src/${dir}/`));
const show = (xs: Import[]) => xs.map((i) => `${i.file}: ${i.spec}`);

describe("layers", () => {
  it("the scan sees the imports it checks", () => {
    const all = importsUnder("runtime");
    expect(all.length).toBeGreaterThan(300);
    expect(all.some((i) => i.spec === "@tensorflow/tfjs-core" && i.dynamic)).toBe(true);
    expect(all.some((i) => under(i, "formats"))).toBe(true);
  });

  it("no file under src/runtime imports src/cli", () => {
    expect(show(importsUnder("runtime").filter((i) => under(i, "cli")))).toEqual([]);
  });

  it.each(["syntax", "resolve", "ir", "lint", "check", "emit", "formats", "lsp"])("src/%s imports no tfjs and nothing of src/runtime or src/cli", (dir) => {
    const bad = importsUnder(dir).filter((i) => i.spec.startsWith("@tensorflow/") || under(i, "runtime") || under(i, "cli"));
    expect(show(bad)).toEqual([]);
  });

  it("src/ir imports nothing of src/ outside src/ir (but the shell quoting of the commands it prints, which imports nothing)", () => {
    const bad = importsUnder("ir").filter((i) => i.target?.startsWith("src/") && !under(i, "ir") && i.target !== "src/util/shell-quote.js");
    expect(show(bad)).toEqual([]);
  });

  it("src/report reads runs through src/formats: runtime code only lazily, for the preview", () => {
    const imports = importsUnder("report");
    expect(show(imports.filter((i) => (under(i, "runtime") && !i.dynamic) || i.spec.startsWith("@tensorflow/")))).toEqual([]);
    expect(show(imports.filter((i) => under(i, "runtime")).filter((i) => !i.file.endsWith("preview-images.ts")))).toEqual([]);
  });
});
