// Seeded mutation fuzzing of the front end: the project's own pipelines, each damaged
// in one to three places (a number, a name, a string, a line dropped or doubled,
// characters cut, a setting moved, stray punctuation), go through compile, lint and
// fmt. Whatever a user's typo makes, the answer is diagnostics: never an exception,
// never E040 ("internal error"); and fmt, on what parses, is idempotent and leaves the
// IR as it was. The same seed gives the same mutants on every run.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { compileFileSync, formatText } from "../../src/driver.js";
import { lintPipeline } from "../../src/lint/engine.js";

const root = path.resolve(import.meta.dirname, "../..");
const files = fs
  .readdirSync(path.join(root, "pipelines"))
  .filter((f) => f.endsWith(".adainf"))
  .map((f) => `pipelines/${f}`);

const NUMBERS = ["0", "-1", "1", "1e9", "0.5", "1_000_000_000_000", "-0.5", "1e-30", "99999999999999999999", "3 steps", "0 steps", "-3 epochs", "1e400"];
const NAMES = [
  "npz",
  "simclr",
  "byol",
  "resnet18",
  "convnet",
  "lars",
  "sgd",
  "real",
  "generated",
  "eval",
  "symmetric",
  "none",
  "true",
  "rgb",
  "x",
  "view",
  "from",
  "data",
  "train",
  "inflate",
];
const STRINGS = ['""', '"/nonexistent/x.npz"', '"../../etc"', '"datasets"', '"pipelines/quickstart.adainf"'];
const PUNCTUATION = ["{", "}", "(", ")", ",", " x ", "=", "\n", "//", "with {", "sweep { a = (1, 2) }"];

/** A small linear congruential generator: the mutants are the same on every machine. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const replaceMatch = (re: RegExp, by: () => string): string => {
    const all = [...text.matchAll(re)];
    if (all.length === 0) return text;
    const m = pick(all);
    return text.slice(0, m.index) + by() + text.slice(m.index! + m[0].length);
  };
  const lines = text.split("\n");
  const i = Math.floor(rnd() * lines.length);
  const at = Math.floor(rnd() * text.length);
  switch (Math.floor(rnd() * 8)) {
    case 0:
      return replaceMatch(/\b\d[\d_.e]*\b( steps| epochs)?/g, () => pick(NUMBERS));
    case 1:
      return replaceMatch(/\b[a-z_][a-z0-9_]*\b/g, () => pick(NAMES));
    case 2:
      lines.splice(i, 1);
      return lines.join("\n");
    case 3:
      lines.splice(i, 0, pick(lines));
      return lines.join("\n");
    case 4:
      return replaceMatch(/"[^"\n]*"/g, () => pick(STRINGS));
    case 5:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 5));
    case 6: {
      const settings = [...text.matchAll(/\b[a-z_]+ = [^\n]+/g)].map((m) => m[0]);
      return settings.length ? replaceMatch(/\b[a-z_]+ = [^\n]+/g, () => pick(settings)) : text;
    }
    default:
      return text.slice(0, at) + pick(PUNCTUATION) + text.slice(at);
  }
}

test("1,000 damaged pipelines: compile, lint and fmt answer with diagnostics, never an exception or E040; fmt keeps the meaning", async () => {
  const rnd = lcg(20261129);
  const problems: string[] = [];
  let compiled = 0;
  let formatted = 0;
  for (let k = 0; k < 1000; k++) {
    const file = files[Math.floor(rnd() * files.length)]!;
    let text = fs.readFileSync(path.join(root, file), "utf8");
    const n = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < n; j++) text = mutate(text, rnd);
    const where = `mutant ${k} of ${file}`;
    const overlay = (t: string) => ({ cwd: root, overlay: new Map([[path.join(root, file), t]]) });
    try {
      const out = compileFileSync(file, overlay(text));
      for (const d of out.diagnostics) if (d.code === "E040" || /internal error/i.test(d.message)) problems.push(`${where}: ${d.code} ${d.message}`);
      for (const p of out.pipelines) {
        compiled++;
        const r = await lintPipeline(p, { source: (f) => out.sources.get(f) ?? null });
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }
      // fmt: text that parses is printed once and for all (idempotent) and means the same
      const fmt = formatText(text, file);
      if (fmt.diagnostics.length === 0) {
        formatted++;
        if (formatText(fmt.text, file).text !== fmt.text) problems.push(`${where}: fmt is not idempotent`);
        const again = compileFileSync(file, overlay(fmt.text));
        const irs = (o: typeof out): string => JSON.stringify(o.pipelines.map((p) => p.ir));
        if (irs(again) !== irs(out)) problems.push(`${where}: formatting changed the IR`);
      }
    } catch (e) {
      problems.push(`${where} threw: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  expect(problems).toEqual([]);
  // the mutants are not all hopeless: many still compile to pipelines that lint reads
  expect(compiled).toBeGreaterThan(200);
  expect(formatted).toBeGreaterThan(200);
});
