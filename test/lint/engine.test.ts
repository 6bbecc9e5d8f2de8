// The lint engine on hand-built paper pipelines (./fixtures.ts): severities from rule
// defaults, the file's lint block, --rule and --deny warnings; unknown and crashing rules;
// spans kept in the pipeline's own file, fixes offered only there; lint-config's words from
// the registry; applyEdits, and planFixes keeping or dropping a fix's edits together.
import { describe, expect, it } from "vitest";
import type { Span, SpanMap } from "../../src/ir/types.js";
import { lintWithSizes } from "../../src/lint/engine.js";
import { LINT_CONFIG, LINT_CONFIG_CODE } from "../../src/check/registry.js";
import { applyEdits, applyFixes, planFixes } from "../../src/lint/fix.js";
import { pointer, spanFor, spanInFile } from "../../src/lint/pointer.js";
import { findRule } from "../../src/lint/rules/index.js";
import { parseRuleOption } from "../../src/lint/severity.js";
import type { LintRule } from "../../src/lint/types.js";
import { paperPipeline, variant } from "./fixtures.js";

const span = (file: string, start: number, end: number, line = 1): Span => ({
  file,
  line,
  column: start + 1,
  endLine: line,
  endColumn: end + 1,
  start,
  end,
});

const codes = (ir = paperPipeline("simclr", "vanilla"), opts = {}) =>
  lintWithSizes({ ir, spans: {} }, {}, opts).diagnostics.map((d) => `${d.code}:${d.severity}`);

describe("severity configuration", () => {
  it("uses each rule's default severity", () => {
    expect(codes()).toEqual(expect.arrayContaining(["vanilla-inflation:warning", "balance:warning"]));
  });

  it("the file's lint block overrides the default; the command line overrides the file", () => {
    const ir = variant(paperPipeline("simclr", "vanilla"), (p) => (p.lint.rules = { balance: "off", "vanilla-inflation": "error" }));
    expect(codes(ir)).not.toContain("balance:warning");
    expect(codes(ir)).toContain("vanilla-inflation:error");
    expect(codes(ir, { rules: { balance: "info", "vanilla-inflation": "off" } })).toEqual(["balance:info"]);
  });

  it("--deny warnings turns warnings into errors but leaves infos", () => {
    const ir = variant(paperPipeline("simclr", "none"), (p) => (p.data.train[0]!.replicate = 10));
    expect(codes(ir, { denyWarnings: true })).toEqual(["dup-without-generated:info"]);
    expect(codes(undefined, { denyWarnings: true })).toEqual(expect.arrayContaining(["vanilla-inflation:error", "balance:error"]));
  });

  it("an unknown rule in the file's lint block is reported, not ignored", () => {
    const ir = variant(paperPipeline("simclr", "none"), (p) => (p.lint.rules = { balanse: "off" }));
    const ds = lintWithSizes({ ir, spans: {} }, {}).diagnostics;
    expect(ds.map((d) => d.code)).toEqual([LINT_CONFIG_CODE]);
    expect(ds[0]!.message).toBe(LINT_CONFIG.messages.unknownRule.text.replace("{id}", "balanse"));
    expect(ds[0]!.hint).toBe(LINT_CONFIG.messages.unknownRule.hint);
  });

  it("parses --rule values and rejects unknown ids and severities", () => {
    const ids = ["balance", "schedule"];
    expect(parseRuleOption("balance=off", ids)).toEqual(["balance", "off"]);
    expect(parseRuleOption("schedule=warning", ids)).toEqual(["schedule", "warn"]);
    expect(() => parseRuleOption("balanse=off", ids)).toThrow(/did you mean 'balance'/);
    expect(() => parseRuleOption("balance", ids)).toThrow(/id=off/);
    expect(() => parseRuleOption("balance=loud", ids)).toThrow(/unknown severity/);
  });

  it("a crashing rule becomes one error diagnostic and the others still run", () => {
    const broken: LintRule = {
      meta: { ...findRule("schedule")!.meta, id: "broken" },
      check: () => {
        throw new Error("boom");
      },
    };
    const ds = lintWithSizes({ ir: paperPipeline("simclr", "vanilla"), spans: {} }, {}, { ruleSet: [broken, findRule("balance")!] }).diagnostics;
    expect(ds.map((d) => d.code).sort()).toEqual(["balance", "broken"]);
    expect(ds.find((d) => d.code === "broken")!.message).toContain("boom");
  });
});

describe("spans", () => {
  const own = "pipelines/p.adainf";
  const spans: SpanMap = {
    "": span(own, 9, 10),
    "/data/train/0/replicate": span(own, 40, 41, 3),
    "/augment/preset": span("stdlib/methods.adainf", 5, 14),
  };

  it("falls back to the nearest ancestor with a span", () => {
    expect(spanFor(spans, "/data/train/0/replicate/x")).toBe(spans["/data/train/0/replicate"]);
    expect(spanFor(spans, "/model/method")).toBe(spans[""]);
    expect(pointer("lint", "rules", "a/b")).toBe("/lint/rules/a~1b");
  });

  it("shows findings in the pipeline's own file, not in the stdlib", () => {
    expect(spanInFile(spans, "/augment/preset", own)).toBe(spans[""]);
    const ir = variant(paperPipeline("simclr", "vanilla"), (p) => (p.file = own));
    const ds = lintWithSizes({ ir, spans }, {}).diagnostics;
    expect(ds.find((d) => d.code === "vanilla-inflation")!.span).toBe(spans["/data/train/0/replicate"]);
    expect(ds.find((d) => d.code === "balance")!.span).toBe(spans[""]);
  });

  it("offers fixes only for values written in the pipeline's own file", () => {
    const ir = variant(paperPipeline("simclr", "vanilla"), (p) => (p.file = own));
    const fixed = lintWithSizes({ ir, spans }, {}).diagnostics.find((d) => d.code === "vanilla-inflation")!;
    expect(fixed.fix).toEqual([{ span: spans["/data/train/0/replicate"], text: "10" }]);
    const elsewhere = { ...spans, "/data/train/0/replicate": span("stdlib/x.adainf", 40, 41, 3) };
    const notFixed = lintWithSizes({ ir, spans: elsewhere }, {}).diagnostics.find((d) => d.code === "vanilla-inflation")!;
    expect(notFixed.fix).toBeUndefined();
  });

  it("switches a preset written in the file, keeping its qualification", () => {
    const text = "pipeline p {\n  augment = std.augment.symmetric\n}\n";
    const at = text.indexOf("std.augment.symmetric");
    const ir = variant(paperPipeline("simclr", "adainf"), (p) => {
      p.file = own;
      p.augment = paperPipeline("simclr", "none").augment;
    });
    const s: SpanMap = { "": span(own, 9, 10), "/augment/preset": span(own, at, at + "std.augment.symmetric".length, 2) };
    const d = lintWithSizes({ ir, spans: s }, {}, { source: () => text, ruleSet: [findRule("dup-augment")!] }).diagnostics[0]!;
    expect(applyEdits(text, d.fix!).text).toBe("pipeline p {\n  augment = std.augment.symmetric_adainf\n}\n");
  });
});

describe("applyEdits", () => {
  const f = "a.adainf";
  it("applies back to front, counts identical edits once, skips overlaps", () => {
    const text = "real x 1; augment = symmetric";
    const r = applyEdits(text, [
      { span: span(f, 20, 29), text: "symmetric_adainf" },
      { span: span(f, 7, 8), text: "10" },
      { span: span(f, 7, 8), text: "10" },
      { span: span(f, 20, 25), text: "x" },
    ]);
    expect(r.text).toBe("real x 10; augment = symmetric_adainf");
    expect(r.applied.length).toBe(2);
    expect(r.skipped.length).toBe(1);
  });

  it("inserts at an empty span and rejects spans outside the text", () => {
    expect(applyEdits("ab", [{ span: span(f, 1, 1), text: "X" }]).text).toBe("aXb");
    expect(applyEdits("ab", [{ span: span(f, 1, 9), text: "X" }]).skipped.length).toBe(1);
  });
});

describe("a fix is applied whole or not at all", () => {
  const f = "a.adainf";
  const text = "aaaa bbbb cccc";
  const first = [{ span: span(f, 0, 4), text: "A" }];
  // Its second edit overlaps `first`; its first edit alone would apply.
  const second = [
    { span: span(f, 10, 14), text: "C" },
    { span: span(f, 2, 6), text: "X" },
  ];

  it("applyFixes leaves out every edit of a fix that overlaps one taken", () => {
    const r = applyFixes(text, [first, second]);
    expect(r.text).toBe("A bbbb cccc");
    expect(r.kept).toEqual([0]);
    expect(r.skipped.length).toBe(2);
  });

  it("planFixes applies none of a fix's edits when one overlaps a kept fix, tried one by one or all at once", async () => {
    const fixes = [
      { name: "first", edits: first },
      { name: "second", edits: second },
      { name: "breaks", edits: [{ span: span(f, 5, 9), text: "!" }] },
    ];
    const attempt = async (fixed: string) => (fixed.includes("!") ? { error: "error[E012]: broken" } : { text: fixed });
    const plan = await planFixes(text, fixes, attempt);
    expect(plan.text).toBe("A bbbb cccc");
    expect(plan.kept.map((x) => x.name)).toEqual(["first"]);
    expect(plan.refused.map((x) => x.fix.name)).toEqual(["breaks"]);
    const together = await planFixes(text, fixes.slice(0, 2), attempt);
    expect(together.text).toBe("A bbbb cccc");
    expect(together.applied).toBe(1);
  });
});
