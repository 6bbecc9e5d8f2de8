// The documentation of the diagnostic codes, generated from the registry (./registry.ts):
// the tables in docs/language.md (the compiler's) and docs/data.md (data check's), docs/diagnostics.md
// (lint-config too) and `adainfc explain <code>` are all this text, so they cannot drift apart.
// test/check/registry.test.ts fails when the files are stale; `npm run docs:diagnostics`
// rewrites them.
import { type CodeDef, type DiagnosticCode, LINT_CONFIG, LINT_CONFIG_CODE, REGISTRY, RETIRED } from "./registry.js";

const entries = (): [DiagnosticCode, CodeDef][] => Object.entries(REGISTRY) as [DiagnosticCode, CodeDef][];

/** The compiler's codes (E0xx, W0xx) or those of `adainfc data check` (D0xx). */
export type CodeFamily = "compiler" | "data";
const familyOf = (c: string): CodeFamily => (c.startsWith("D") ? "data" : "compiler");

const cell = (s: string): string => s.replace(/\|/g, "\\|");
const code = (s: string): string => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);

/** A table of one family's codes (docs/language.md: the compiler's; docs/data.md: data check's), each linked to its section of docs/diagnostics.md. */
export function diagnosticsTableMarkdown(family: CodeFamily): string {
  const rows = entries()
    .filter(([c]) => familyOf(c) === family)
    .map(([c, e]) => `| [${c}](diagnostics.md#${c.toLowerCase()}) | ${severities(e)} | ${cell(e.summary)} |`);
  for (const [c, what] of Object.entries(RETIRED)) if (familyOf(c) === family) rows.push(`| ${c} | retired | ${cell(what)} |`);
  return ["| code | severity | meaning |", "|---|---|---|", ...rows, ""].join("\n");
}

/** The code's severity, and any other a message of it is reported at ("warning / info"). */
function severities(e: CodeDef): string {
  const all = new Set([e.severity, ...Object.values(e.messages).flatMap((m) => (m.severity ? [m.severity] : []))]);
  return [...all].join(" / ");
}

/** One code's section: what it means, and every message reported under it with its default hint. */
export function diagnosticDocMarkdown(c: DiagnosticCode | typeof LINT_CONFIG_CODE, level = "##"): string {
  const e: CodeDef = c === LINT_CONFIG_CODE ? LINT_CONFIG : REGISTRY[c];
  const messages = Object.values(e.messages).map(
    (m) => `- ${code(m.text)}${m.severity && m.severity !== e.severity ? ` (${m.severity})` : ""}${m.hint ? ` (hint: ${code(m.hint)})` : ""}`,
  );
  return [
    `${level} ${c}`,
    "",
    `**${severities(e)}**: ${e.summary}`,
    "",
    e.docs,
    "",
    "Messages ({name} stands for a value filled in):",
    "",
    ...messages,
    "",
  ].join("\n");
}

/** docs/diagnostics.md. */
export function diagnosticsPageMarkdown(): string {
  return [
    "# Diagnostics",
    "",
    "Every code the compiler reports (`adainfc check`, `compile`, `lint`, ...: E0xx and W0xx)",
    "and `adainfc data check` reports (D0xx, after opening the data), with what it means and",
    "the messages it comes with, and `lint-config`, the linter's own code for a `lint { ... }`",
    "entry that names no rule. Lint rules have their own pages (docs/rules/).",
    "`adainfc explain <code>` prints one section.",
    "",
    "This page is generated from `src/check/registry.ts`; `npm run docs:diagnostics` rewrites it.",
    "",
    ...entries().map(([c]) => diagnosticDocMarkdown(c)),
    diagnosticDocMarkdown(LINT_CONFIG_CODE),
    "## Retired codes",
    "",
    "No longer reported; a retired code is never given to another problem.",
    "",
    ...Object.entries(RETIRED).map(([c, what]) => `- ${c}: ${what}`),
    "",
  ].join("\n");
}
