// Signature help inside the parentheses of a builtin call (`lars(`, `knn(`,
// `random_resized_crop(`, `npz(`, a dataset preset's `cifar10(`): the call with its
// parameters in the definition's order, each with its default, and each parameter's
// documentation as hover shows it (language.ts, from ir/builtins.ts). Which call it is
// comes from the tokens before the cursor (scan.ts), as for completion, so it works in
// half-written calls. The active parameter is the one the argument under the cursor
// sets: by its name (`lr = `, or a word being typed that begins the name of one not
// given yet), by its place among the positional ones, or, in an empty argument, the next
// positional one or else the first parameter not given yet.

import type { IToken } from "chevrotain";
import { MarkupKind, type ParameterInformation, type SignatureHelp } from "vscode-languageserver";
import { langParams } from "../ir/define.js";
import { fieldMarkdown, paramLabel, scopeOf } from "./language.js";
import { cursorAt, equalsAt, names, trailingPath } from "./scan.js";

export function signatureHelp(text: string, offset: number): SignatureHelp | null {
  const c = cursorAt(text, offset);
  // The innermost call around the cursor whose arguments are a builtin's; a tuple or list
  // inside it (`mean = (0.5, `) is the value of its current argument.
  let i = c.frames.length - 1;
  while (i >= 0 && c.frames[i]!.open !== "{" && !(c.frames[i]!.open === "(" && scopeOf(c.frames.slice(0, i + 1)).kind === "args")) i--;
  const frame = c.frames[i];
  if (frame?.open !== "(") return null;
  const scope = scopeOf(c.frames.slice(0, i + 1));
  if (scope.kind !== "args") return null;
  const b = scope.block;
  const innermost = i === c.frames.length - 1;
  const current: readonly IToken[] = innermost ? c.stmt : c.frames[i + 1]!.header;
  const word = innermost ? c.word : null;

  const params = langParams(b.fields);
  const positional = params.filter((p) => p.field.position !== undefined).sort((x, y) => x.field.position! - y.field.position!);
  const given = new Set<string>();
  let places = 0;
  for (const a of frame.args) {
    const eq = equalsAt(a);
    const name = eq >= 0 ? names(a.slice(0, eq))[0] : positional[places++]?.lang;
    if (name !== undefined) given.add(name);
  }
  const active = ((): string | undefined => {
    const eq = equalsAt(current);
    if (eq >= 0) return names(current.slice(0, eq))[0];
    if (current.length === 0 && word) {
      if (c.next?.image === "=") return word.image;
      const named = params.find((p) => !given.has(p.lang) && p.lang.startsWith(word.image));
      if (named) return named.lang;
    }
    if (positional[places]) return positional[places]!.lang;
    // A value with no name and no place left names none; an empty argument, the next one to give.
    return current.length > 0 || word ? undefined : params.find((p) => !given.has(p.lang))?.lang;
  })();

  const callee = trailingPath(frame.header) ?? b.name;
  let label = `${callee}(`;
  const parameters: ParameterInformation[] = params.map((p, n) => {
    const text = paramLabel(p.lang, p.field);
    if (n > 0) label += ", ";
    const start = label.length;
    label += text;
    return { label: [start, label.length], documentation: { kind: MarkupKind.Markdown, value: fieldMarkdown(b, p.lang, p.field) } };
  });
  label += ")";
  const index = params.findIndex((p) => p.lang === active);
  return {
    signatures: [{ label, documentation: { kind: MarkupKind.Markdown, value: b.doc }, parameters }],
    activeSignature: 0,
    // Out of range (no parameter) when the argument names none of them.
    activeParameter: index < 0 ? params.length : index,
  };
}
