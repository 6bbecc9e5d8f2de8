// The parser: every pipelines/ and stdlib/ file parses clean; three syntax errors in one
// file each reported (E002) at its place, lexer errors as E001; numbers, ranges, units,
// comments and spans; statements need no separator and extra `;`s are empty; a label
// or unit is never taken from the next line; a dotted recipe after `from`; a misplaced
// digit separator (E001); an unclosed block reported at its '{'.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSource } from "../../src/syntax/parse.js";
import { ROOT } from "../helpers.js";

const files = ["pipelines", "stdlib"].flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => f.endsWith(".adainf"))
    .map((f) => join(d, f)),
);

describe("parser", () => {
  it.each(files)("parses %s without diagnostics", (f) => {
    const r = parseSource(readFileSync(join(ROOT, f), "utf8"), f);
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.items.length).toBeGreaterThan(0);
  });

  it("reports three independent syntax errors in one run, each with its place", () => {
    const text = [
      "pipeline p {",
      '  data { real = cifar10("d", split = ) }', // 1: missing value
      "  train {",
      "    batch_size = 256 256", // 2: stray number
      "  }",
      "  evaluate { knn(k = ) }", // 3: missing value
      "}",
    ].join("\n");
    const r = parseSource(text, "bad.adainf");
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.span!.line, d.span!.column])).toEqual([
      [2, 38],
      [4, 22],
      [6, 22],
    ]);
    expect(errors.every((d) => d.code === "E002")).toBe(true);
    expect(errors[1]!.message).toBe("expected '}' but found '256'");
  });

  it("reports an unexpected character with the lexer's position", () => {
    const r = parseSource("pipeline p {\n  seed = 1 $\n}\n", "x.adainf");
    expect(r.diagnostics[0]).toMatchObject({ code: "E001", span: { line: 2, column: 12 } });
  });

  it("reads digit separators, exponents, negative numbers, ranges and units", () => {
    const r = parseSource("recipe r { train { steps = 100_000; x = 1e-4; y = -2; s = 0.08..1.0; w = 10 epochs } }", "n.adainf");
    expect(r.diagnostics).toEqual([]);
    const decl = r.ast.items[0]!;
    if (decl.kind !== "decl") throw new Error("expected a declaration");
    const stmts = decl.body!.statements[0]!.block!.statements;
    expect(stmts.map((s) => s.value!.kind)).toEqual(["number", "number", "number", "range", "number"]);
    const [steps, x, y, s, w] = stmts.map((s) => s.value!);
    expect(steps).toMatchObject({ value: 100000, raw: "100_000" });
    expect(x).toMatchObject({ value: 1e-4 });
    expect(y).toMatchObject({ value: -2 });
    expect(s).toMatchObject({ lo: { value: 0.08 }, hi: { value: 1 } });
    expect(w).toMatchObject({ value: 10, unit: { text: "epochs" } });
  });

  it("does not take a unit keyword that starts the next statement", () => {
    const r = parseSource("recipe r { train { batch_size = 256\n steps = 5 } }", "u.adainf");
    expect(r.diagnostics).toEqual([]);
    const decl = r.ast.items[0]!;
    if (decl.kind !== "decl") throw new Error("expected a declaration");
    const stmts = decl.body!.statements[0]!.block!.statements;
    expect(stmts.map((s) => s.key.text)).toEqual(["batch_size", "steps"]);
    expect(stmts[0]!.value!.unit).toBeNull();
  });

  it("needs no separator between statements on one line (docs/language.md); a unit stops where a statement starts", () => {
    const r = parseSource("recipe r { train { steps = 10 batch_size = 32 devices = 1 } output { checkpoint_every = 10 steps keep = 2 } }", "s.adainf");
    expect(r.diagnostics).toEqual([]);
    const decl = r.ast.items[0]!;
    if (decl.kind !== "decl") throw new Error("expected a declaration");
    const [train, output] = decl.body!.statements.map((s) => s.block!.statements);
    expect(train!.map((s) => [s.key.text, s.value!.kind === "number" ? s.value!.value : null])).toEqual([
      ["steps", 10],
      ["batch_size", 32],
      ["devices", 1],
    ]);
    expect(output!.map((s) => [s.key.text, s.value!.unit?.text ?? null])).toEqual([
      ["checkpoint_every", "steps"],
      ["keep", null],
    ]);
  });

  it("reads a dotted recipe after `from` (a recipe of a file imported `as c`)", () => {
    const r = parseSource('use "./common.adainf" as c\npipeline p from c.base {\n  seed = 1\n}\n', "a.adainf");
    expect(r.diagnostics).toEqual([]);
    const decl = r.ast.items[1]!;
    if (decl.kind !== "decl") throw new Error("expected a declaration");
    expect(decl.base).toMatchObject({ text: "c.base", parts: [{ text: "c" }, { text: "base" }], span: { line: 2, column: 17, endColumn: 23 } });
    expect(decl.body!.statements.map((s) => s.key.text)).toEqual(["seed"]);
  });

  it("takes a `;` after a statement and extra `;`s as empty statements", () => {
    const r = parseSource("pipeline p { ; data { real = x } ; ; seed = 1;; train { steps = 2; }; }", "semi.adainf");
    expect(r.diagnostics).toEqual([]);
    const decl = r.ast.items[0]!;
    if (decl.kind !== "decl") throw new Error("expected a declaration");
    expect(decl.body!.statements.map((s) => s.key.text)).toEqual(["data", "seed", "train"]);
  });

  it.each([
    ["1__000", 2],
    ["1_000_", 6],
    ["1_.5", 2],
    ["2.5_e3", 4],
  ])("%s is an E001 at its misplaced digit separator", (num, column) => {
    const r = parseSource(`pipeline p { seed = ${num} }`, "n.adainf");
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span!.column - "pipeline p { seed = ".length])).toEqual([
      ["E001", `misplaced '_' in the number ${num}`, column],
    ]);
    expect(r.diagnostics[0]!.hint).toContain("1_000");
  });

  it("points an unclosed block at its '{', not at the end of the file", () => {
    const inner = parseSource("pipeline p {\n  train { steps = 5\n  output { keep = 2 }\n}\n", "b.adainf").diagnostics;
    expect(inner.map((d) => [d.code, d.message, d.span!.line, d.span!.column])).toEqual([["E002", "`train {` is never closed: the file ends at line 4", 2, 9]]);
    expect(inner[0]!.hint).toBe("add the block's closing '}'");
    const outer = parseSource("pipeline p from simclr {\n  train { steps = 5 }\n", "b.adainf").diagnostics;
    expect(outer.map((d) => [d.message, d.span!.line, d.span!.column])).toEqual([
      ["`pipeline p from simclr {` is never closed: the file ends at line 2", 1, 24],
    ]);
  });

  it("keeps comments and spans", () => {
    const r = parseSource("// a\npipeline p { /* b */ seed = 1 } // c\n", "c.adainf");
    expect(r.ast.comments.map((c) => c.text)).toEqual(["// a", "/* b */", "// c"]);
    const decl = r.ast.items[0]!;
    expect(decl.span).toMatchObject({ line: 2, column: 1, endLine: 2 });
  });
});

describe("parser: line-sensitive labels and units", () => {
  it("does not read a name on the next line as a label", () => {
    const r = parseSource("pipeline p { inflate { generate\n d x 1 } }", "l.adainf");
    const decl = r.ast.items[0]!;
    if (decl.kind !== "decl") throw new Error("expected a declaration");
    const stmts = decl.body!.statements[0]!.block!.statements;
    expect(stmts.map((s) => [s.key.text, s.label?.text ?? null])).toEqual([
      ["generate", null],
      ["d", null],
    ]);
  });

  it("reads a label on the same line", () => {
    const r = parseSource("augment a { view v1 { grayscale(p = 0.2) } }", "l.adainf");
    const decl = r.ast.items[0]!;
    if (decl.kind !== "decl") throw new Error("expected a declaration");
    expect(decl.body!.statements[0]!.label?.text).toBe("v1");
  });
});
