// The registry of diagnostic codes (src/check/registry.ts) is the one place codes are
// defined: every code and message in it is used, no source emits a code from outside it,
// and the docs generated from it are current. Regenerate the docs with
//   npm run docs:diagnostics
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REGISTRY, RETIRED, diag, diagnostic, formatTemplate, templateArgs } from "../../src/check/registry.js";
import { diagnosticsPageMarkdown, diagnosticsTableMarkdown } from "../../src/check/registry-docs.js";

const root = path.resolve(__dirname, "../..");
const update = process.env["UPDATE_DIAGNOSTIC_DOCS"] === "1";
const START = "<!-- diagnostics:start -->";
const END = "<!-- diagnostics:end -->";

function files(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? files(p, ext) : ext.test(d.name) ? [p] : [];
  });
}

const REGISTRY_FILE = path.join(root, "src/check/registry.ts");
const sources = files(path.join(root, "src"), /\.ts$/).filter((f) => f !== REGISTRY_FILE);
type Entry = { severity: string; messages: Record<string, { text: string; hint?: string; severity?: string }> };
const entries = Object.entries(REGISTRY) as [string, Entry][];

describe("diagnostics registry", () => {
  it("every code and every message of the registry is used by some source", () => {
    const used = new Set<string>();
    for (const f of sources) for (const m of fs.readFileSync(f, "utf8").matchAll(/\bdiag\.([EWD]\d{3})\.(\w+)/g)) used.add(`${m[1]}.${m[2]}`);
    const unused = entries.flatMap(([c, e]) => Object.keys(e.messages).map((n) => `${c}.${n}`)).filter((k) => !used.has(k));
    expect(unused).toEqual([]);
    const unknown = [...used].filter((k) => {
      const [c, n] = k.split(".") as [string, string];
      return !(c in REGISTRY) || !(n in (REGISTRY as Record<string, Entry>)[c]!.messages);
    });
    expect(unknown).toEqual([]);
  });

  it("no source writes a diagnostic code outside the registry", () => {
    const literals = sources.flatMap((f) =>
      [...fs.readFileSync(f, "utf8").matchAll(/["'`]([EWD]\d{3})["'`]/g)].map((m) => `${path.relative(root, f)}: ${m[1]}`),
    );
    expect(literals).toEqual([]);
  });

  it("every code the tests and docs name is in the registry", () => {
    const named = new Set<string>();
    const places = [...files(path.join(root, "test"), /\.ts$/), ...files(path.join(root, "docs"), /\.md$/), path.join(root, "README.md")];
    for (const f of places) for (const m of fs.readFileSync(f, "utf8").matchAll(/\b([EWD]0\d\d)\b/g)) named.add(m[1]!);
    // Made-up codes: a compile error fed to the reporters (test/lint/reporters.test.ts),
    // a code `explain` refuses (test/lint/cli.test.ts).
    const STAND_INS = new Set(["E007", "E099"]);
    expect([...named].filter((c) => !(c in REGISTRY) && !(c in RETIRED) && !STAND_INS.has(c)).sort()).toEqual([]);
    expect(Object.keys(RETIRED).filter((c) => c in REGISTRY)).toEqual([]);
  });

  it("codes are E0xx errors, W0xx warnings and data check's D0xx; every message and hint is one line with well-formed placeholders", () => {
    for (const [c, e] of entries) {
      expect(c).toMatch(/^[EWD]\d{3}$/);
      if (!c.startsWith("D")) expect(e.severity).toBe(c.startsWith("E") ? "error" : "warning");
      for (const m of Object.values(e.messages)) {
        for (const t of [m.text, m.hint ?? ""]) {
          expect(t).not.toMatch(/\n/);
          // A brace pair holds a placeholder name, or is text with a space, dot, ... inside
          // (the type-level reading in registry.ts treats the same pairs as text).
          for (const b of t.matchAll(/\{([^{}]*)\}/g)) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(b[1]!)) expect(b[1], `${c}: ${t}`).toMatch(/[ .,(={\\-]/);
          }
        }
      }
    }
  });

  it("builds a diagnostic from a template, its arguments and the default hint", () => {
    const m = diag.E022.needsParameter({ what: "lars", name: "lr", doc: "learning rate" });
    expect(m).toEqual({ code: "E022", severity: "error", message: "lars needs 'lr' (learning rate)", hint: "add lr = ..." });
    expect(diagnostic(m, null, "given")).toMatchObject({ code: "E022", span: null, hint: "given" });
    expect(diagnostic(m, null, "")).toMatchObject({ hint: "add lr = ..." });
    expect(diagnostic(diag.E012.opTwice({ op: "flip" }), null)).not.toHaveProperty("hint");
    expect(formatTemplate("write {key} { ... }", { key: "train" })).toBe("write train { ... }");
    expect(templateArgs("a \\u{...} {x} {y}")).toEqual(["x", "y"]);
  });

  it("docs/diagnostics.md is current", () => {
    const file = path.join(root, "docs/diagnostics.md");
    const want = diagnosticsPageMarkdown();
    if (update) fs.writeFileSync(file, want);
    expect(fs.readFileSync(file, "utf8")).toBe(want);
  });

  it.each([
    ["docs/language.md", "compiler"],
    ["docs/data.md", "data"],
  ] as const)("the diagnostics table in %s (the %s's codes) is current", (doc, family) => {
    const file = path.join(root, doc);
    const text = fs.readFileSync(file, "utf8");
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    const want = `${START}\n${diagnosticsTableMarkdown(family)}${END}`;
    if (update) fs.writeFileSync(file, text.slice(0, a) + want + text.slice(b + END.length));
    expect(fs.readFileSync(file, "utf8").slice(a, a + want.length)).toBe(want);
  });

  it("a message may be reported at another severity than its code's (D004's smaller crop is info), and the docs say so", () => {
    expect(diag.D004.cropSmaller({ view: "v", size: 24, source: "real", h: 32, w: 32 })).toMatchObject({ code: "D004", severity: "info" });
    expect(diag.D004.cropUpsampled({ view: "v", size: 40, source: "real", h: 32, w: 32 })).toMatchObject({ severity: "warning" });
    expect(diagnosticsTableMarkdown("data")).toContain("| [D004](diagnostics.md#d004) | warning / info |");
    expect(diagnosticsTableMarkdown("compiler")).not.toContain("D004");
  });
});
