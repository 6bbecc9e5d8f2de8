// Hover: on a pipeline's name, where it sits on the paper's map (g, f, a and the strength
// recommended at its g, lint's own quantities) with its effective batch, rates and steps;
// on a preset, recipe or dataset, its declaration (doc comment and text); on a builtin
// call, its doc and parameters; on a field, its type, range, default, unit and doc; on a
// rule id, its summary (an id that is no rule: the nearest one).
import { relative } from "node:path";
import * as B from "../ir/builtins.js";
import { valueText } from "../ir/builtin-docs.js";
import { byName, langParams } from "../ir/define.js";
import { pipelineStrength } from "../lint/strength.js";
import { resolveAugment } from "../resolve/augment.js";
import { ResolveContext } from "../resolve/context.js";
import type { Expr, Statement } from "../syntax/ast.js";
import { LINE_END } from "../syntax/lines.js";
import { codeDocsUri } from "../lint/code-docs.js";
import { recommendedStrength } from "../lint/quantities.js";
import { findRule, RULE_IDS } from "../lint/rules/index.js";
import { closest } from "../check/suggest.js";
import { docsUri } from "../util/own-package.js";
import type { DeclRef, LoadedFile, Program } from "../resolve/program.js";
import { batchText, lrText } from "../ir/train-summary.js";
import { builtinMarkdown, calledBlock, fieldMarkdown, keyPath, type Scope, scopeOf, type Slot, slotOf } from "./language.js";
import { targetAt } from "./navigation.js";
import { cursorAt, enclosingPipeline, equalsAt, type Frame, names } from "./scan.js";
import { type Analysis, type Chosen, ofPipeline } from "./workspace.js";

export interface HoverInput {
  text: string;
  offset: number;
  program: Program;
  file: LoadedFile | null;
  analysis: Analysis | null;
}

export function hoverMarkdown(h: HoverInput): string | null {
  const c = cursorAt(h.text, h.offset);
  if (!c.word) return null;
  const w = c.word.image;
  const scope = scopeOf(c.frames);
  if (scope.kind === "top" && c.stmt.length === 1 && c.stmt[0]!.image === "pipeline") return pipelineMarkdown(w, h);
  if (h.file) {
    const t = targetAt(h.program, h.file, c.word.startOffset);
    if (t?.target.kind === "decl") return declMarkdown(t.target.ref, h.program);
    if (t?.target.kind === "file") return `**${where(t.target.file, h.program)}**${t.target.file.isStd ? " (standard library)" : ""}`;
  }
  if (scope.kind === "rules") return ruleMarkdown(w);
  const eq = equalsAt(c.stmt);
  if (eq < 0) {
    // The key: the names before the word, the word, and nothing after (`train` in `train.steps`).
    const slot = slotOf(scope, [...names(c.stmt), w], chosenAt(c.frames, h));
    if (slot) return slotMarkdown(slot, scope);
    // `knn(...)`, `random_resized_crop(...)` are keys in their blocks.
    const b = c.next?.image === "(" ? calledBlock(scope, null, w) : null;
    return b ? builtinMarkdown(b, whatCalled(scope)) : null;
  }
  const slot = slotOf(scope, keyPath(c.stmt), chosenAt(c.frames, h));
  const b = calledBlock(scope, slot, w);
  if (b && (b !== B.DATASET_CALL || c.next?.image === "(")) return builtinMarkdown(b, whatCalled(scope, slot));
  if (slot?.kind === "field") return fieldMarkdown(slot.owner, slot.lang, slot.field);
  if (slot?.kind === "rule") return ruleMarkdown(slot.id);
  return null;
}

/** The builtins the pipeline around the position uses (its first compiled point), if it compiled. */
function chosenAt(frames: readonly Frame[], h: HoverInput): Chosen | undefined {
  const name = enclosingPipeline(frames);
  return name && h.analysis ? ofPipeline(h.analysis.chosen, name) : undefined;
}

function whatCalled(scope: Scope, slot?: Slot | null): string {
  if (slot?.kind === "family") return slot.what;
  switch (scope.kind) {
    case "ops":
      return "augmentation op";
    case "evaluate":
      return "evaluator";
    case "data":
      return "data source";
    default:
      return "builtin";
  }
}

function slotMarkdown(slot: Slot, scope: Scope): string | null {
  switch (slot.kind) {
    case "field":
      return fieldMarkdown(slot.owner, slot.lang, slot.field);
    case "op":
      return builtinMarkdown(slot.block, "augmentation op");
    case "evaluator":
      return builtinMarkdown(slot.block, "evaluator");
    case "family":
      return `**${slot.what}**: one of ${Object.values(slot.family)
        .map((b) => `\`${b.name}\``)
        .join(", ")}`;
    case "block": {
      const s = slot.scope;
      const keys =
        s.kind === "fields"
          ? [...(s.block ? langParams(s.block.fields).map((p) => p.lang) : []), ...Object.keys(s.calls)]
          : s.kind === "evaluate"
            ? [...Object.keys(B.EVALUATORS), "source"]
            : [];
      const doc = s.kind === "fields" && s.block && s.block.name === slot.name ? `${s.block.doc} ` : "";
      return `**${slot.name}** block. ${doc}${keys.length ? `Takes ${keys.map((k) => `\`${k}\``).join(", ")}.` : ""}`.trim();
    }
    case "rule":
      return ruleMarkdown(slot.id);
    case "augment":
      return scope.kind === "body" ? `**augment**: a preset (\`augment = symmetric\`) or a block of views. ${B.AUGMENT.doc}` : null;
    default:
      return null;
  }
}

function ruleMarkdown(id: string): string | null {
  const rule = findRule(id);
  if (!rule) {
    const near = closest(id, RULE_IDS);
    return `\`${id}\` is not a lint rule${near ? ` (did you mean \`${near}\`?)` : ""}. [The rules](${docsUri("docs/lint.md", "rules")})`;
  }
  return [
    `**${id}** (lint rule, default ${rule.meta.defaultSeverity}${rule.meta.fixable ? ", fixable" : ""})`,
    "",
    rule.meta.docs.summary,
    "",
    `[docs](${codeDocsUri(id)})`,
  ].join("\n");
}

/** The comment lines right above a declaration, without their `//`. */
function docComment(ref: DeclRef): string {
  const { ast } = ref.file;
  const lines: string[] = [];
  let at = ref.decl.span.start;
  for (let i = ast.comments.length - 1; i >= 0; i--) {
    const c = ast.comments[i]!;
    if (c.span.end > at) continue;
    if (!/^[ \t]*\r?\n?[ \t]*$/.test(ast.text.slice(c.span.end, at))) break;
    lines.unshift(c.text.replace(/^\/\/ ?/, "").replace(/^\/\*|\*\/$/g, ""));
    at = c.span.start;
  }
  return lines.join("\n");
}

const MAX_LINES = 40;

/** A file as people know it: `stdlib/augment.adainf`, or its name in diagnostics. */
export function where(file: LoadedFile, program: Program): string {
  return file.isStd ? `stdlib/${relative(program.stdlibDir, file.abs)}` : file.display;
}

/**
 * What an augmentation preset expands to: each view's ops with every parameter (the
 * defaults filled in, `with { ... }` and `strength` applied), resolved by the compiler
 * (resolve/augment.ts), and its strength a as lint measures it on colour data. The crop's
 * size and Normalize's statistics come from a pipeline's data, so they are left out.
 */
function presetExpansion(ref: DeclRef, program: Program): string | null {
  const name = ref.decl.name;
  const callee = { parts: [name], text: name.text, span: name.span };
  const value: Expr = { kind: "call", callee, args: null, unit: null, with: null, span: name.span };
  const stmt: Statement = { key: callee, value, args: null, label: null, labelQuoted: false, count: null, block: null, span: name.span };
  const ctx = new ResolveContext();
  const ir = resolveAugment({ kind: "stmt", key: name, stmt, overrides: [], file: ref.file }, program, ctx, { cropSize: 0, mean: [], std: [] });
  if (!ir || ctx.failed) return null;
  const lines = ir.views.map((v) => {
    const ops = v.ops.flatMap((op) => {
      const spec = byName(B.AUGMENT_OPS, op.op);
      if (!spec) return [];
      const node = op as unknown as Record<string, unknown>;
      const args = langParams(spec.fields)
        .filter((p) => !(op.op === "random_resized_crop" && p.lang === "size"))
        .map((p) => `${p.lang} = ${valueText(node[p.path[0]!], p.field.type)}`);
      return [`  ${op.op}(${args.join(", ")})`];
    });
    return [`view ${v.name} {`, ...ops, "}"].join("\n");
  });
  const a = pipelineStrength(ir.views, 3);
  return [`Expands to (strength a = ${a.toFixed(2)} on colour data):`, "", "```adainf", ...lines, "```"].join("\n");
}

/** A declaration: where it is, its doc comment and its text (what a preset or recipe expands to). */
export function declMarkdown(ref: DeclRef, program: Program): string {
  const d = ref.decl;
  const lines = ref.file.ast.text.slice(d.span.start, d.span.end).split(LINE_END);
  const text = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), "  ..."].join("\n") : lines.join("\n");
  const doc = docComment(ref);
  const expansion = d.declKind === "augment" ? presetExpansion(ref, program) : null;
  return [
    `**${d.declKind} ${d.name.text}** (${where(ref.file, program)}:${d.name.span.line})`,
    ...(doc ? ["", doc] : []),
    "",
    "```adainf",
    text,
    "```",
    ...(expansion ? ["", expansion] : []),
  ].join("\n");
}

/** As lint prints them (src/lint/reporters/text.ts): g to 3 places, f to 1 (without `.0`), a to 2. */
const fixed = (x: number | null, digits: number): string => (x === null ? "?" : x.toFixed(digits).replace(/\.0$/, ""));

/** g, f, a, the strength recommended at g, the effective training and steps of a pipeline (each point of its sweep). */
function pipelineMarkdown(name: string, h: HoverInput): string {
  const own = (h.analysis?.results ?? []).filter((r) => r.file === h.analysis?.display && (r.pipeline === name || r.pipeline.startsWith(`${name}[`)));
  const head = `**pipeline ${name}**`;
  if (own.length === 0) return `${head}\n\nNo quantities: the pipeline does not compile (see its errors).`;
  const rows = own.map((r) => {
    const q = r.quantities;
    const rec = q.generatedShare === null ? null : recommendedStrength(q.generatedShare, q.family, q.channels);
    const steps = h.analysis?.steps.get(r.pipeline);
    return {
      point: r.point ? r.pipeline.slice(name.length) : "",
      g: fixed(q.generatedShare, 3),
      f: fixed(q.inflationFactor, 1),
      a: `${fixed(q.strength, 2)} (${q.family})`,
      rec: fixed(rec, 2),
      training: `${batchText(r.training)}, ${lrText(r.training)}`,
      steps: steps === undefined ? "?" : steps.toLocaleString("en-US"),
    };
  });
  if (rows.length === 1) {
    const r = rows[0]!;
    return [
      head,
      "",
      `- generated share g = ${r.g}`,
      `- inflation factor f = ${r.f}`,
      `- augmentation strength a = ${r.a}`,
      `- strength recommended at this g: ${r.rec}`,
      `- ${r.training}`,
      `- ${r.steps} steps`,
    ].join("\n");
  }
  const MAX_ROWS = 24;
  const table = [
    "| point | g | f | a | recommended a | training | steps |",
    "|---|---|---|---|---|---|---|",
    ...rows.slice(0, MAX_ROWS).map((r) => `| ${r.point} | ${r.g} | ${r.f} | ${r.a} | ${r.rec} | ${r.training} | ${r.steps} |`),
  ];
  if (rows.length > MAX_ROWS) table.push(`| and ${rows.length - MAX_ROWS} more points | | | | | | |`);
  return [`${head}: a sweep of ${rows.length} points`, "", ...table].join("\n");
}
