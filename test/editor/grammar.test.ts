// The VS Code extension's TextMate grammar and language configuration
// (editors/vscode/): that the committed files are what editors/vscode/scripts/grammar.ts
// builds from the lexer and the language definition, that vscode-textmate (with
// vscode-oniguruma, the engine VS Code runs) tokenizes every pipeline and stdlib file
// back to its initial state and agrees with the lexer on every number, string and
// comment, hand-checked scopes of a few lines, and the configuration against the lexer.
//   UPDATE_GRAMMAR=1 npx vitest run test/editor/grammar.test.ts   rewrites the two files

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import type { IToken as LexToken } from "chevrotain";
import * as oniguruma from "vscode-oniguruma";
import * as vsctm from "vscode-textmate";
import { beforeAll, describe, expect, it } from "vitest";
import { blockNames, buildGrammar, buildLanguageConfiguration, builtinCalls, keywords, RESOLVER_WORDS, SCOPE } from "../../editors/vscode/scripts/grammar.js";
import * as T from "../../grammar/tokens.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXT = join(ROOT, "editors/vscode");
const GRAMMAR_FILE = join(EXT, "syntaxes/adainf.tmLanguage.json");
const CONFIG_FILE = join(EXT, "language-configuration.json");
const update = process.env["UPDATE_GRAMMAR"] === "1";

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

describe("generated files", () => {
  it("syntaxes/adainf.tmLanguage.json is what scripts/grammar.ts builds from the lexer and the builtins", () => {
    if (update) writeFileSync(GRAMMAR_FILE, json(buildGrammar()));
    expect(readFileSync(GRAMMAR_FILE, "utf8")).toBe(json(buildGrammar()));
  });

  it("language-configuration.json is what scripts/grammar.ts builds from the lexer", () => {
    if (update) writeFileSync(CONFIG_FILE, json(buildLanguageConfiguration()));
    expect(readFileSync(CONFIG_FILE, "utf8")).toBe(json(buildLanguageConfiguration()));
  });

  it("the keyword lists come from the lexer's tokens", () => {
    const kw = keywords();
    expect(kw.declarations).toEqual(["pipeline", "recipe", "augment", "dataset"]);
    expect(kw.units).toEqual(["steps", "step", "epochs", "epoch"]);
    expect(kw.others).toEqual(["use", "as", "from", "with"]);
    // every keyword token is in one list, and each list's words lex as that token
    const all = [...kw.declarations, ...kw.units, ...kw.others];
    expect(all.length).toBe(T.allTokens.filter((t) => t !== T.Ident && (t.CATEGORIES ?? []).includes(T.Name)).length);
    for (const w of all) expect(T.adainfLexer.tokenize(w).tokens.map((t) => t.tokenType.name)).toEqual([w[0]!.toUpperCase() + w.slice(1)]);
  });

  it("the words the resolver reads without a token are still read where RESOLVER_WORDS says", () => {
    for (const { word, file } of Object.values(RESOLVER_WORDS).flat()) {
      expect(readFileSync(join(ROOT, file), "utf8"), `${word} in ${file}`).toContain(`"${word}"`);
    }
  });
});

// ---------------------------------------------------------------- tokenizing

let grammar: vsctm.IGrammar;

/** Loads the committed grammar into vscode-textmate (after the tests above may have rewritten it). */
async function loadGrammar(): Promise<void> {
  if (grammar) return;
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => (scopeName === SCOPE ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_FILE, "utf8"), GRAMMAR_FILE) : null),
  });
  const g = await registry.loadGrammar(SCOPE);
  if (!g) throw new Error("the grammar did not load");
  grammar = g;
}

interface Tok {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}

/** Tokenize a file line by line; also returns the state after the last line. */
function tokenizeFile(text: string): { lines: string[]; tokens: Tok[][]; end: vsctm.StateStack } {
  const lines = text.split(/\r?\n/);
  let state: vsctm.StateStack = vsctm.INITIAL;
  const tokens: Tok[][] = [];
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, state, 10_000);
    expect(r.stoppedEarly, line).toBe(false);
    tokens.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, end: t.endIndex, scopes: t.scopes })));
    state = r.ruleStack;
  }
  return { lines, tokens, end: state };
}

const CORPUS = ["pipelines", "stdlib"].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".adainf"))
    .map((f) => `${dir}/${f}`),
);

/** The innermost scope of a token (its last), or the grammar's own scope for plain text. */
const scopeOf = (t: Tok) => t.scopes[t.scopes.length - 1]!;

describe("tokenizing the pipelines and stdlib", () => {
  beforeAll(loadGrammar);

  it("finds the files; an unclosed bracket, string or comment leaves the state off the root", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(17);
    const root = grammar.tokenizeLine("", vsctm.INITIAL).ruleStack;
    for (const text of ["pipeline p {", "x = f(1,", "/* a", "seed = [1"]) expect(tokenizeFile(text).end.equals(root), text).toBe(false);
    for (const text of ["pipeline p { }", 'x = "a(b"', "/* { */", "// {"]) expect(tokenizeFile(text).end.equals(root), text).toBe(true);
  });

  it.each(CORPUS)("%s: every line tokenizes and the state is back at the root at the end", (file) => {
    const { end } = tokenizeFile(readFileSync(join(ROOT, file), "utf8"));
    expect(end.equals(grammar.tokenizeLine("", vsctm.INITIAL).ruleStack)).toBe(true);
  });

  it.each(CORPUS)("%s: the grammar scopes every number, string, comment and count the lexer finds as such", (file) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    const { tokens } = tokenizeFile(text);
    const lexed = T.adainfLexer.tokenize(text);
    expect(lexed.errors).toEqual([]);
    const expected: [LexToken, string][] = [
      ...lexed.tokens.filter((t) => t.tokenType === T.NumberLit).map((t): [LexToken, string] => [t, "constant.numeric.adainf"]),
      ...lexed.tokens.filter((t) => t.tokenType === T.StringLit).map((t): [LexToken, string] => [t, "string.quoted.double.adainf"]),
      ...lexed.tokens.filter((t) => t.tokenType === T.Times).map((t): [LexToken, string] => [t, "keyword.operator.count.adainf"]),
      ...(lexed.groups["comments"] ?? []).map((t): [LexToken, string] => [t, t.tokenType === T.LineComment ? "comment.line" : "comment.block"]),
    ];
    expect(expected.length).toBeGreaterThan(0);
    for (const [lex, scope] of expected) {
      // the characters of the lexer's token on its first line (columns from 1, the end inclusive) all carry the scope
      const line = lex.startLine! - 1;
      const from = lex.startColumn! - 1;
      const to = lex.endLine === lex.startLine ? lex.endColumn! - 1 : tokens[line]!.at(-1)!.end - 1;
      const covering = tokens[line]!.filter((t) => t.end > from && t.start <= to);
      for (const t of covering)
        expect(
          t.scopes.some((s) => s.startsWith(scope)),
          `${file}:${line + 1} "${lex.image}" at "${t.text}": ${t.scopes.join(" ")}`,
        ).toBe(true);
    }
  });
});

/** The tokens of one line of a file (tokenized in its place in the file), as [text, innermost scope]; blanks dropped. */
function lineTokens(file: string, line: string): [string, string][] {
  const { lines, tokens } = tokenizeFile(readFileSync(join(ROOT, file), "utf8"));
  const i = lines.indexOf(line);
  expect(i, `${file} has the line ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(0);
  return tokens[i]!.filter((t) => t.text.trim() !== "").map((t) => [t.text, scopeOf(t)]);
}

/** The same for a line of text on its own. */
function textTokens(text: string): [string, string][] {
  const r = grammar.tokenizeLine(text, vsctm.INITIAL);
  return r.tokens.map((t) => [text.slice(t.startIndex, t.endIndex), t.scopes.at(-1)!] as [string, string]).filter(([s]) => s.trim() !== "");
}

describe("hand-checked lines", () => {
  beforeAll(loadGrammar);

  it("a pipeline header", () => {
    expect(lineTokens("pipelines/simclr_adainf.adainf", "pipeline simclr_adainf from simclr {")).toEqual([
      ["pipeline", "storage.type.declaration.adainf"],
      ["simclr_adainf", "entity.name.type.adainf"],
      ["from", "keyword.control.from.adainf"],
      ["simclr", "entity.other.inherited-class.adainf"],
      ["{", "punctuation.section.block.begin.adainf"],
    ]);
  });

  it("a pipeline header inheriting a recipe of a file imported `as c`", () => {
    expect(textTokens("pipeline p from c.base {")).toEqual([
      ["pipeline", "storage.type.declaration.adainf"],
      ["p", "entity.name.type.adainf"],
      ["from", "keyword.control.from.adainf"],
      ["c", "entity.other.inherited-class.adainf"],
      [".", "punctuation.accessor.adainf"],
      ["base", "entity.other.inherited-class.adainf"],
      ["{", "punctuation.section.block.begin.adainf"],
    ]);
  });

  it("a builtin call with named arguments, a number with an exponent", () => {
    expect(lineTokens("pipelines/quickstart.adainf", "    optimizer = adamw(lr = 0.003, weight_decay = 1e-4)")).toEqual([
      ["optimizer", "variable.other.property.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["adamw", "support.function.builtin.adainf"],
      ["(", "punctuation.section.parens.begin.adainf"],
      ["lr", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["0.003", "constant.numeric.adainf"],
      [",", "punctuation.separator.comma.adainf"],
      ["weight_decay", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["1e-4", "constant.numeric.adainf"],
      [")", "punctuation.section.parens.end.adainf"],
    ]);
  });

  it("a preset call with a string argument, inside a multi-line call: digit separators", () => {
    expect(lineTokens("pipelines/quickstart.adainf", "      size = 160_000,")).toEqual([
      ["size", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["160_000", "constant.numeric.adainf"],
      [",", "punctuation.separator.comma.adainf"],
    ]);
    expect(lineTokens("pipelines/story.adainf", "    real = mnist(split = train, size = 1_000)")).toEqual([
      ["real", "variable.other.property.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["mnist", "entity.name.function.adainf"],
      ["(", "punctuation.section.parens.begin.adainf"],
      ["split", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["train", "variable.other.adainf"],
      [",", "punctuation.separator.comma.adainf"],
      ["size", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["1_000", "constant.numeric.adainf"],
      [")", "punctuation.section.parens.end.adainf"],
    ]);
  });

  it("a number with a unit, and `steps` as a key", () => {
    expect(lineTokens("pipelines/quickstart.adainf", "    schedule = warmup_cosine(warmup = 20 steps)")).toEqual([
      ["schedule", "variable.other.property.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["warmup_cosine", "support.function.builtin.adainf"],
      ["(", "punctuation.section.parens.begin.adainf"],
      ["warmup", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["20", "constant.numeric.adainf"],
      ["steps", "keyword.other.unit.adainf"],
      [")", "punctuation.section.parens.end.adainf"],
    ]);
    expect(textTokens("steps = 100_000 steps")).toEqual([
      ["steps", "variable.other.property.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["100_000", "constant.numeric.adainf"],
      ["steps", "keyword.other.unit.adainf"],
    ]);
    expect(textTokens("linear_probe(epochs = 20, lr = 0.1)").slice(2, 5)).toEqual([
      ["epochs", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["20", "constant.numeric.adainf"],
    ]);
  });

  it("a string with escapes (no pipeline has one: a line of its own)", () => {
    expect(textTokens('dir = "runs/\\"a\\"\\u{1F600}\\n"')).toEqual([
      ["dir", "variable.other.property.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ['"', "punctuation.definition.string.begin.adainf"],
      ["runs/", "string.quoted.double.adainf"],
      ['\\"', "constant.character.escape.adainf"],
      ["a", "string.quoted.double.adainf"],
      ['\\"', "constant.character.escape.adainf"],
      ["\\u{1F600}", "constant.character.escape.adainf"],
      ["\\n", "constant.character.escape.adainf"],
      ['"', "punctuation.definition.string.end.adainf"],
    ]);
  });

  it("a count, a comment", () => {
    expect(lineTokens("pipelines/simclr_adainf.adainf", "    real x 10")).toEqual([
      ["real", "variable.other.adainf"],
      ["x", "keyword.operator.count.adainf"],
      ["10", "constant.numeric.adainf"],
    ]);
    expect(
      lineTokens("pipelines/quickstart.adainf", "    allow(generated-quality) // the stand-in generator has no FID (its quality numbers are not FID)"),
    ).toEqual([
      ["allow", "keyword.other.lint.adainf"],
      ["(", "punctuation.section.parens.begin.adainf"],
      ["generated-quality", "constant.other.rule-id.adainf"],
      [")", "punctuation.section.parens.end.adainf"],
      ["//", "punctuation.definition.comment.adainf"],
      [" the stand-in generator has no FID (its quality numbers are not FID)", "comment.line.double-slash.adainf"],
    ]);
  });

  it("blocks, views, presets and ranges", () => {
    expect(lineTokens("stdlib/augment.adainf", "augment symmetric_weak = symmetric with {")).toEqual([
      ["augment", "storage.type.declaration.adainf"],
      ["symmetric_weak", "entity.name.type.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["symmetric", "variable.other.adainf"],
      ["with", "keyword.control.with.adainf"],
      ["{", "punctuation.section.block.begin.adainf"],
    ]);
    expect(lineTokens("stdlib/augment.adainf", "  view x 2 {")).toEqual([
      ["view", "keyword.other.block.adainf"],
      ["x", "keyword.operator.count.adainf"],
      ["2", "constant.numeric.adainf"],
      ["{", "punctuation.section.block.begin.adainf"],
    ]);
    expect(lineTokens("stdlib/augment.adainf", "    random_resized_crop(scale = 0.08..1.0)")).toEqual([
      ["random_resized_crop", "support.function.builtin.adainf"],
      ["(", "punctuation.section.parens.begin.adainf"],
      ["scale", "variable.parameter.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["0.08", "constant.numeric.adainf"],
      ["..", "keyword.operator.range.adainf"],
      ["1.0", "constant.numeric.adainf"],
      [")", "punctuation.section.parens.end.adainf"],
    ]);
    expect(lineTokens("pipelines/story.adainf", "    axis inflation {")).toEqual([
      ["axis", "keyword.other.block.adainf"],
      ["inflation", "entity.name.section.adainf"],
      ["{", "punctuation.section.block.begin.adainf"],
    ]);
    expect(lineTokens("pipelines/story.adainf", "    augment.strength = [0.5, 1, 1.5]").slice(0, 5)).toEqual([
      ["augment", "variable.other.property.adainf"],
      [".", "punctuation.accessor.adainf"],
      ["strength", "variable.other.property.adainf"],
      ["=", "keyword.operator.assignment.adainf"],
      ["[", "punctuation.section.brackets.begin.adainf"],
    ]);
    expect(textTokens("use std.augment as aug")).toEqual([
      ["use", "keyword.control.import.adainf"],
      ["std", "entity.name.namespace.adainf"],
      [".", "punctuation.accessor.adainf"],
      ["augment", "entity.name.namespace.adainf"],
      ["as", "keyword.control.import.adainf"],
      ["aug", "entity.name.namespace.adainf"],
    ]);
    expect(textTokens('use "./common.adainf" as common')).toEqual([
      ["use", "keyword.control.import.adainf"],
      ['"', "punctuation.definition.string.begin.adainf"],
      ["./common.adainf", "string.quoted.double.adainf"],
      ['"', "punctuation.definition.string.end.adainf"],
      ["as", "keyword.control.import.adainf"],
      ["common", "entity.name.namespace.adainf"],
    ]);
    expect(textTokens("knn = off")).toContainEqual(["off", "constant.language.adainf"]);
    expect(textTokens("batch_norm = true")).toContainEqual(["true", "constant.language.boolean.adainf"]);
  });

  it("every builtin call and block name of the language is highlighted as one", () => {
    for (const name of builtinCalls()) expect(textTokens(`${name}(p = 1)`)[0]).toEqual([name, "support.function.builtin.adainf"]);
    for (const name of blockNames()) expect(textTokens(`${name} {`)[0]).toEqual([name, "keyword.other.block.adainf"]);
  });
});

// ---------------------------------------------------------------- language configuration

describe("language-configuration.json against the lexer", () => {
  const config = () =>
    JSON.parse(readFileSync(CONFIG_FILE, "utf8")) as {
      comments: { lineComment: string; blockComment: [string, string] };
      brackets: [string, string][];
      wordPattern: string;
      indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    };

  it("its comment markers make the lexer's comments", () => {
    const { comments } = config();
    const line = T.adainfLexer.tokenize(`seed = 1 ${comments.lineComment} a comment`);
    expect(line.groups["comments"]!.map((t) => [t.tokenType, t.image])).toEqual([[T.LineComment, `${comments.lineComment} a comment`]]);
    const [open, close] = comments.blockComment;
    const block = T.adainfLexer.tokenize(`${open} two\nlines ${close} seed = 1`);
    expect(block.groups["comments"]!.map((t) => [t.tokenType, t.image])).toEqual([[T.BlockComment, `${open} two\nlines ${close}`]]);
  });

  it("its brackets are the lexer's bracket tokens", () => {
    const types = config().brackets.map(([o, c]) => T.adainfLexer.tokenize(`${o}${c}`).tokens.map((t) => t.tokenType));
    expect(types).toEqual([
      [T.LBrace, T.RBrace],
      [T.LBracket, T.RBracket],
      [T.LParen, T.RParen],
    ]);
  });

  it("its word pattern takes every name and number of the pipelines whole; indentation follows the brackets", () => {
    const { wordPattern, indentationRules } = config();
    const word = new RegExp(wordPattern, "y");
    for (const file of CORPUS) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const t of T.adainfLexer.tokenize(text).tokens) {
        if (t.tokenType !== T.NumberLit && !(t.tokenType.CATEGORIES ?? []).includes(T.Name)) continue;
        word.lastIndex = t.startOffset;
        expect(word.exec(text)?.[0], `${file}:${t.startLine} ${t.image}`).toBe(t.image);
      }
    }
    const increase = new RegExp(indentationRules.increaseIndentPattern);
    const decrease = new RegExp(indentationRules.decreaseIndentPattern);
    expect(
      ["pipeline p {", "  data {  // the data", "    generated = npz(", "  seed = [", "augment a = b with {", 'x = f("a)", (', "/ {"].filter(
        (l) => !increase.test(l),
      ),
    ).toEqual([]);
    expect(["  seed = 1", "  real x 10 // {", '  dir = "a {"', "  }"].filter((l) => increase.test(l))).toEqual([]);
    expect(["  }", "    )", "]"].every((l) => decrease.test(l))).toBe(true);
    expect(decrease.test("  seed = 1")).toBe(false);
  });
});
