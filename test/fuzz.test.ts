import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFileSync } from "../src/driver.js";
import { formatText } from "../src/syntax/format.js";
import { Rng } from "../src/runtime/rng.js";
import { project, ROOT } from "./helpers.js";

// Mutates the real pipeline files (thousands of cases, fixed seed): the compiler
// must never throw, and every file it cannot compile must come with diagnostics.

const sources = readdirSync(join(ROOT, "pipelines"))
  .filter((f) => f.endsWith(".adainf"))
  .map((f) => readFileSync(join(ROOT, "pipelines", f), "utf8"));

const SNIPPETS = ["{", "}", "(", ")", "=", "..", "x", "*", ",", ";", '"', "-", "1e", "0.5", "with", "use", "steps", "epochs", "pipeline", "from", "/*", "//", "\n", "__", "é", "\u0000", "99999999999999999999", "-0", "augment", "view"];

function mutate(text: string, rng: Rng): string {
  let t = text;
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const at = rng.int(t.length + 1);
    switch (rng.int(4)) {
      case 0: // delete a run
        t = t.slice(0, at) + t.slice(at + 1 + rng.int(8));
        break;
      case 1: // insert a snippet
        t = t.slice(0, at) + SNIPPETS[rng.int(SNIPPETS.length)]! + t.slice(at);
        break;
      case 2: {
        // duplicate a slice elsewhere
        const from = rng.int(t.length);
        t = t.slice(0, at) + t.slice(from, from + rng.int(40)) + t.slice(at);
        break;
      }
      default: {
        // change a digit or a letter
        const ch = t[at];
        if (ch && /[0-9]/.test(ch)) t = t.slice(0, at) + String(rng.int(10)) + t.slice(at + 1);
        else if (ch) t = t.slice(0, at) + String.fromCharCode(97 + rng.int(26)) + t.slice(at + 1);
      }
    }
  }
  return t;
}

describe("fuzz", () => {
  it("never crashes and always explains a failure (2,000 mutated pipelines)", () => {
    const rng = new Rng(20241128);
    const dir = project({});
    const overlay = new Map<string, string>();
    const path = join(dir, "fuzz.adainf");
    let failed = 0;
    for (let i = 0; i < 2000; i++) {
      const text = mutate(sources[i % sources.length]!, rng);
      overlay.set(path, text);
      const out = compileFileSync("fuzz.adainf", { cwd: dir, overlay });
      if (out.pipelines.length === 0) {
        failed++;
        expect(out.diagnostics.length, `no diagnostics for:\n${text}`).toBeGreaterThan(0);
      }
      for (const d of out.diagnostics) {
        expect(d.message.length).toBeGreaterThan(0);
        if (d.span) {
          expect(d.span.line).toBeGreaterThanOrEqual(1);
          expect(d.span.start).toBeLessThanOrEqual(d.span.end);
        }
      }
      // The formatter either refuses (syntax errors) or produces a fixed point.
      const f = formatText(text, "fuzz.adainf");
      if (f.diagnostics.length === 0) expect(formatText(f.text, "fuzz.adainf").text).toBe(f.text);
    }
    // The mutations must actually break files most of the time, or the test is weak.
    expect(failed).toBeGreaterThan(1000);
  });
});
