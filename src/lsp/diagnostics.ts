// From the compiler's diagnostics to the protocol's: each with its code, a link to its
// documentation (a rule's page, a compiler code's section, lint's configuration for a
// `lint { ... }` block's problem), the hint on a line of its
// own and the sweep points it holds on (already named in the message, src/check/points.ts).
// A problem in an imported file is shown at the `use` line that brings it in, one in a
// `set` override at the file's start (each named, with its line and column, in the
// message). Code actions come from the same diagnostics: a lint rule's `--fix` edits,
// and the name a "did you mean" hint suggests (no lint fix under the settings' `set`
// overrides: as `lint --fix` refuses `--set`, a fix would be computed for a pipeline not
// in the file); lint fixes are offered as `lint --fix` keeps them (src/lint/fix.ts planFixes),
// and a cancelled request stops before the next compile of a fixed text. Formatting is `adainfc fmt`.
import { dirname, resolve } from "node:path";
import {
  type CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic as LspDiagnostic,
  type Range,
  type TextEdit as LspTextEdit,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Severity } from "../check/diagnostic.js";
import { setArgumentNumber } from "../check/set-argument.js";
import { suggestedName } from "../check/suggest.js";
import type { Span } from "../ir/types.js";
import { codeDocsUri } from "../lint/code-docs.js";
import { applyFixes, type FixAttempt, type FixPlan, planFixes } from "../lint/fix.js";
import { parseCached } from "../resolve/program.js";
import { formatText } from "../syntax/format.js";
import type { UseDecl } from "../syntax/ast.js";
import { bomLength, EditorPositions } from "./positions.js";
import type { Analysis } from "./workspace.js";

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * The `use` line among `uses` (the analysed file's) that imports `file` (a name in
 * diagnostics), or that imports the file through which `file` is imported (an import of
 * an import); else the first one.
 */
function useLineFor(a: Analysis, uses: readonly UseDecl[], file: string): UseDecl | null {
  const abs = resolve(a.cwd, file);
  const direct = a.via.get(abs) ?? abs;
  return uses.find((u) => u.file && resolve(dirname(a.abs), u.file.value) === direct) ?? uses[0] ?? null;
}

/** The analysed file's diagnostics in the protocol's form, in its order. */
export function lspDiagnostics(a: Analysis): LspDiagnostic[] {
  let uses: UseDecl[] | undefined; // the compile's parse of the text, when a problem lies in an imported file
  const positions = new EditorPositions(a.text);
  return a.diagnostics.map((d) => {
    let range = START;
    let message = d.message;
    // A byte that is not UTF-8 (E005: an empty span at it) is underlined: the one character the editor shows for it.
    const badByte = d.span !== null && d.span.start === d.span.end && a.text[d.span.start] === "\uFFFD";
    if (d.span && d.span.file === a.display) range = positions.rangeOf(badByte ? { ...d.span, end: d.span.start + 1 } : d.span, a.bom);
    else if (d.span) {
      // A problem in a `set` entry (`--set #1`) stays at the file's start: no `use` brings it in.
      if (setArgumentNumber(d.span.file) === null) {
        uses ??= parseCached(a.text, a.display).ast.items.filter((i): i is UseDecl => i.kind === "use");
        const use = useLineFor(a, uses, d.span.file);
        if (use) range = positions.rangeOf(use.span, a.bom);
      }
      // Its line and column in that file, as the editor (and the CLI) count them.
      message = `${d.span.file}:${d.span.line}:${d.span.column}: ${message}`;
    }
    const out: LspDiagnostic = {
      range,
      severity: SEVERITY[d.severity],
      code: d.code,
      codeDescription: { href: codeDocsUri(d.code) },
      source: "adainf",
      message: d.hint ? `${message}\nhint: ${d.hint}` : message,
    };
    if (d.points) out.data = { points: d.points };
    return out;
  });
}

const overlaps = (a: Range, b: Range): boolean =>
  !(
    a.end.line < b.start.line ||
    (a.end.line === b.start.line && a.end.character < b.start.character) ||
    b.end.line < a.start.line ||
    (b.end.line === a.start.line && b.end.character < a.start.character)
  );

const CANCELLED = Symbol("cancelled");

/**
 * Quick fixes (lint's `--fix` edits, "did you mean" names) and "fix all" for the range.
 * The lint fixes offered are those `lint --fix` keeps (planFixes, src/lint/fix.ts): none
 * while the file has compile errors, and each only when the fixed text compiles with no
 * error, together with the fixes before it. `errorsWith` counts the compile errors of a
 * fixed text. Fix-all applies the kept fixes in one pass (`lint --fix` also formats, and
 * goes on while a fix enables another).
 */
export async function codeActions(
  doc: TextDocument,
  a: Analysis,
  range: Range,
  only?: readonly string[],
  errorsWith: (text: string) => number = () => 0,
  cancelled: () => boolean = () => false,
): Promise<CodeAction[] | null> {
  const own = a.diagnostics.filter((d) => d.span?.file === a.display);
  const positions = new EditorPositions(a.text);
  /** An edit of the analysed document (its spans count from the compiler's first character). */
  const edit = (span: Span, text: string): LspTextEdit => ({ range: positions.rangeOf(span, a.bom), newText: text });
  const fixes =
    a.overrides.length || a.compileErrors > 0
      ? []
      : own.flatMap((finding) => {
          const edits = finding.fix?.filter((e) => e.span.file === a.display) ?? [];
          return edits.length ? [{ finding, edits }] : [];
        });
  /** Before each compile of a fixed text (a big file's takes seconds): a cancellation that came meanwhile is read, and stops the rest. */
  const attempt: FixAttempt = async (fixed) => {
    await new Promise((r) => setImmediate(r));
    if (cancelled()) throw CANCELLED;
    const errors = errorsWith(fixed);
    return errors === 0 ? { text: fixed } : { error: `${errors} error${errors === 1 ? "" : "s"}` };
  };
  let plan: FixPlan<(typeof fixes)[number]> | undefined;
  const kept = async () => (plan ??= await planFixes(a.text, fixes, attempt)).kept;
  try {
    const lsp = lspDiagnostics({ ...a, diagnostics: own });
    const actions: CodeAction[] = [];
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    if (wants(CodeActionKind.QuickFix)) {
      for (const [i, d] of own.entries()) {
        const shown = lsp[i]!;
        if (!overlaps(shown.range, range)) continue;
        const fix = fixes.find((f) => f.finding === d);
        const offered = fix !== undefined && (await kept()).includes(fix);
        if (fix && offered) {
          actions.push({
            title: `Fix ${d.code}${d.hint ? `: ${d.hint}` : ""}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [shown],
            isPreferred: true,
            edit: { changes: { [doc.uri]: fix.edits.map((e) => edit(e.span, e.text)) } },
          });
        }
        const name = suggestedName(d.hint);
        if (name && d.span) {
          const written = a.text.slice(d.span.start, d.span.end);
          // Only a name for a name: the span must be the misspelt word itself, or a dotted
          // path whose last parts it is (`std.augmnt`, with `augment` suggested: the module).
          const parts = written.split(".");
          const suggested = name.split(".");
          if (/^[A-Za-z_][\w.-]*$/.test(written) && parts.length >= suggested.length) {
            const fixed = [...parts.slice(0, parts.length - suggested.length), ...suggested].join(".");
            actions.push({
              title: `Change '${written}' to '${fixed}'`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [shown],
              isPreferred: !offered,
              edit: { changes: { [doc.uri]: [edit(d.span, fixed)] } },
            });
          }
        }
      }
    }
    const fixAll = `${CodeActionKind.SourceFixAll}.adainf`;
    if (fixes.length && wants(fixAll)) {
      const all = await kept();
      if (all.length) {
        const { applied } = applyFixes(
          a.text,
          all.map((f) => f.edits),
        );
        actions.push({
          title: "Apply the lint fixes that keep the file compiling (as adainfc lint --fix)",
          kind: fixAll,
          edit: { changes: { [doc.uri]: applied.map((e) => edit(e.span, e.text)) } },
        });
      }
    }
    return actions;
  } catch (e) {
    if (e === CANCELLED) return null;
    throw e;
  }
}

/**
 * `adainfc fmt` as one edit; none when the text does not parse (formatting never guesses)
 * or is formatted. A byte order mark is kept, as `fmt --write` keeps it: the text after it
 * is compared and replaced.
 */
export function formatEdits(doc: TextDocument, display: string): LspTextEdit[] {
  const text = doc.getText();
  const bom = bomLength(text);
  const body = text.slice(bom);
  const r = formatText(body, display);
  if (r.diagnostics.length || r.text === body) return [];
  return [{ range: { start: doc.positionAt(bom), end: doc.positionAt(text.length) }, newText: r.text }];
}
