// docs/rules/<id>.md and the rule table in docs/lint.md are generated from the rule
// modules. This test fails when they are stale; regenerate with
//   UPDATE_RULE_DOCS=1 npx vitest run test/lint/rule-docs.test.ts
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ruleDocMarkdown, rulesTableMarkdown } from "../../src/lint/rule-docs.js";
import { ALL_RULES } from "../../src/lint/rules/index.js";

const root = path.resolve(__dirname, "../..");
const update = process.env["UPDATE_RULE_DOCS"] === "1";
const START = "<!-- rules:start -->";
const END = "<!-- rules:end -->";

describe("rule docs", () => {
  for (const rule of ALL_RULES) {
    it(`docs/rules/${rule.meta.id}.md is current`, () => {
      const file = path.join(root, "docs/rules", `${rule.meta.id}.md`);
      const want = ruleDocMarkdown(rule);
      if (update) fs.writeFileSync(file, want);
      expect(fs.readFileSync(file, "utf8")).toBe(want);
    });
  }

  it("docs/rules has no page for a rule that no longer exists", () => {
    const pages = fs.readdirSync(path.join(root, "docs/rules")).filter((f) => f.endsWith(".md"));
    expect(pages.sort()).toEqual(ALL_RULES.map((r) => `${r.meta.id}.md`).sort());
  });

  it("the rule table in docs/lint.md is current", () => {
    const file = path.join(root, "docs/lint.md");
    const text = fs.readFileSync(file, "utf8");
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    const want = `${START}\n${rulesTableMarkdown(ALL_RULES)}${END}`;
    if (update) fs.writeFileSync(file, text.slice(0, a) + want + text.slice(b + END.length));
    expect(fs.readFileSync(file, "utf8").slice(a, a + want.length)).toBe(want);
  });

  it("every rule documents a paper finding or reviewer reason, an example and a fix", () => {
    for (const r of ALL_RULES) {
      expect(r.meta.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(r.meta.docs.rationale.length).toBeGreaterThan(80);
      expect(r.meta.docs.example.length).toBeGreaterThan(5);
      expect(r.meta.docs.fix.length).toBeGreaterThan(20);
    }
  });
});
