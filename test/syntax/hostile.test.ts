// Hostile source text that used to end as an internal error: nesting deep enough to
// overflow the stack (E003), string escapes that are unknown or name no character (E004), and a
// leading byte order mark (accepted, spans unchanged), a 10^6-character name (reported
// where the user wrote it, did-you-mean stays linear). Each case through parseSource or
// closest, and through the CLI (a positioned error in the user's file, exit 1, no trace).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_NESTING } from "../../grammar/parser.js";
import { badEscapes, parseSource, unquote } from "../../src/syntax/parse.js";
import { formatText } from "../../src/syntax/format.js";
import { closest, MAX_COMPARED } from "../../src/check/suggest.js";
import { BASE, cli } from "../helpers.js";

const N = 5000;
const deep: Array<[string, string]> = [
  ["parentheses", `pipeline p { seed = ${"(".repeat(N)}1${")".repeat(N)} }`],
  ["lists", `pipeline p { seed = ${"[".repeat(N)}1${"]".repeat(N)} }`],
  ["calls", `pipeline p { seed = ${"f(".repeat(N)}1${")".repeat(N)} }`],
  ["blocks", `pipeline p ${"{ a ".repeat(N)}${"}".repeat(N)}`],
  ["with-blocks", `pipeline p { seed = ${"a with { b = ".repeat(N)}1${"}".repeat(N)} }`],
  ["unclosed brackets", `pipeline p { seed = ${"(".repeat(N)}`],
];

describe("nesting depth (E003)", () => {
  it.each(deep)("%s 5,000 deep: one E003 at the first bracket past the limit", (_, text) => {
    const r = parseSource(text, "deep.adainf");
    const e = r.diagnostics.filter((d) => d.code === "E003");
    expect(e).toHaveLength(1);
    expect(e[0]!.message).toBe(`brackets nested more than ${MAX_NESTING} deep`);
    expect("([{").toContain(text[e[0]!.span!.start]);
    expect(e[0]!.hint).toBeTruthy();
    expect(formatText(text, "deep.adainf").text).toBe(text);
  });

  it("nesting up to the limit still parses", () => {
    const d = MAX_NESTING - 2; // the pipeline's own brace is one level
    const r = parseSource(`pipeline p { seed = ${"(".repeat(d)}1${")".repeat(d)} }`, "ok.adainf");
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.items).toHaveLength(1);
  });
});

describe("string escapes (E004)", () => {
  it.each([
    ["\\u{110000}", "above 10FFFF"],
    ["\\u{FFFFFFFFFFFFFFFFFFFFFFFF}", "above 10FFFF"],
    ["\\u{D800}", "lone surrogate"],
    ["\\u{dfff}", "lone surrogate"],
  ])("%s is an E004 at the escape", (esc, why) => {
    const text = `pipeline p {\n  output { dir = "runs/${esc}" }\n}\n`;
    const r = parseSource(text, "esc.adainf");
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe("E004");
    expect(d.message).toContain(why);
    expect([d.span!.line, d.span!.column]).toEqual([2, 24]);
    expect(text.slice(d.span!.start, d.span!.end)).toBe(esc);
  });

  it.each([
    ["\\q", "\\q"],
    ["datasets\\cifar10", "\\c"],
    ["\\u{zz}", "\\u{zz}"],
    ["\\u41", "\\u"],
    ["\\u{}", "\\u{}"],
  ])('"%s" is an E004 at its unknown escape %s, with the hint to write \\\\', (body, esc) => {
    const text = `pipeline p {\n  output { dir = "${body}" }\n}\n`;
    const r = parseSource(text, "esc.adainf");
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([["E004", `unknown escape ${esc} in a string`]]);
    const d = r.diagnostics[0]!;
    expect(text.slice(d.span!.start, d.span!.end)).toBe(esc);
    expect(d.hint).toContain("write \\\\ for a backslash");
  });

  it("valid escapes, leading zeros included, are unchanged", () => {
    expect(badEscapes('"\\u{10FFFF}\\u{0000041}\\n"')).toEqual([]);
    expect(badEscapes('"\\"\\\\\\n\\r\\t"')).toEqual([]);
    expect(unquote('"\\"\\\\\\n\\r\\t"')).toBe('"\\\n\r\t');
    expect(unquote('"\\u{0000041}\\u{1F600}"')).toBe("A\u{1F600}");
    expect(unquote('"\\u{110000}"')).toBe("\uFFFD");
  });
});

describe("byte order mark", () => {
  it("is accepted and spans count from the first real character", () => {
    const plain = "pipeline p {\n  seed = x\n}\n";
    const a = parseSource(plain, "a.adainf");
    const b = parseSource(`\uFEFF${plain}`, "a.adainf");
    expect(b.diagnostics).toEqual([]);
    expect(b.ast).toEqual(a.ast);
    const decl = b.ast.items[0]!;
    expect([decl.span.line, decl.span.column, decl.span.start]).toEqual([1, 1, 0]);
  });

  it("a BOM-prefixed file formats like the same file without it", () => {
    const plain = "pipeline p {\n  seed = 1\n}\n";
    expect(formatText(`\uFEFF${plain}`, "a.adainf").text).toBe(formatText(plain, "a.adainf").text);
  });
});

describe("huge names", () => {
  it("did-you-mean skips names longer than MAX_COMPARED and stays fast on two huge ones", () => {
    const huge = "a".repeat(1e6);
    const t0 = Date.now();
    expect(closest(huge, ["simclr", huge, `${huge}b`])).toBeNull();
    expect(closest("simclrr", ["simclr", huge])).toBe("simclr");
    expect(closest("a".repeat(MAX_COMPARED + 1), ["a".repeat(MAX_COMPARED)])).toBeNull();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe("through the CLI", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-hostile-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "deep.adainf"), deep[0]![1]);
  fs.writeFileSync(path.join(dir, "esc.adainf"), 'pipeline p {\n  output { dir = "\\u{110000}" }\n}\n');
  fs.writeFileSync(path.join(dir, "bom.adainf"), "\uFEFFpipeline p {\n  seed = x\n}\n");
  const huge = "a".repeat(1e6);
  const named = (from: string, to: string): string => BASE.replace(from, to);
  fs.writeFileSync(path.join(dir, "name1.adainf"), named("  data {", `  ${huge} = 1\n  data {`));
  fs.writeFileSync(path.join(dir, "name2.adainf"), named("from simclr", `from ${huge}`));
  fs.writeFileSync(path.join(dir, "name3.adainf"), named("split = train", `split = train, ${huge} = 1`));
  fs.writeFileSync(path.join(dir, "name4.adainf"), named("  data {", `  model { method = ${huge}(x = ${huge}b) }\n  data {`));

  it("lint --fix on a file with a BOM edits the right characters", { timeout: 30_000 }, async () => {
    const text = [
      "pipeline p from simclr {",
      "  data {",
      "    real = mnist(split = train)",
      "    eval = mnist(split = test)",
      "  }",
      "  augment {",
      "    view x 2 {",
      "      random_resized_crop(size = 28, scale = 0.25..1.0)",
      "      color_jitter(p = 0.8, brightness = 0.6, contrast = 0.6, saturation = 0.4, hue = 0.0)",
      "    }",
      "  }",
      "}",
      "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "fix.adainf"), `\uFEFF${text}`);
    const r = await cli(["lint", "fix.adainf", "--fix"], dir);
    expect(r.out + r.err).not.toMatch(/internal error/);
    // one edit, in one pass (an edit one character off would take a second pass to repair)
    expect(r.out + r.err).toContain("fixed fix.adainf (1 edit)");
    // the BOM kept, as an editor saves the file
    expect(fs.readFileSync(path.join(dir, "fix.adainf"), "utf8")).toBe(`\uFEFF${text.replace("saturation = 0.4", "saturation = 0")}`);
  });

  it.each([
    ["deep.adainf", /^deep\.adainf:1:\d+: error\[E003\]: brackets nested more than \d+ deep/],
    ["esc.adainf", /^esc\.adainf:2:19: error\[E004\]: the escape \\u\{110000\} names no character/],
    ["bom.adainf", /^bom\.adainf:2:10: error\[E020\]: seed expects/m],
    ["name1.adainf", /^name1\.adainf:2:3: error\[E011\]: pipeline 'p' has no setting 'a{1000000}'$/m],
    ["name2.adainf", /^name2\.adainf:1:17: error\[E010\]: unknown recipe 'a{1000000}'$/m],
    ["name3.adainf", /^name3\.adainf:3:55: error\[E011\]: cifar10 has no parameter 'a{1000000}'$/m],
    ["name4.adainf", /^name4\.adainf:2:20: error\[E010\]: unknown method 'a{1000000}'$/m],
  ])("check %s: a positioned error, exit 1, no internal error", { timeout: 30_000 }, async (file, first) => {
    const r = await cli(["check", file], dir);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(first);
    expect(r.out + r.err).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
    // every diagnostic is in the user's own file (none in stdlib)
    const places = (r.out + r.err).match(/^[^\s:]+\.adainf(?=:\d+:\d+: )/gm) ?? [];
    expect(places.length).toBeGreaterThan(0);
    expect(new Set(places)).toEqual(new Set([file]));
  });
});
