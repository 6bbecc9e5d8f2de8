import { type CodeDef, type DiagnosticCode, REGISTRY, RETIRED } from "./registry.js";

// The documentation of the compiler's diagnostic codes, generated from the registry
// (./registry.ts): the table in docs/language.md, the pages of docs/diagnostics.md and
// `adainfc explain <code>` are all this text, so they cannot drift apart.
// test/check/registry.test.ts fails when the files are stale; `npm run docs:diagnostics`
// rewrites them.

const entries = (): [DiagnosticCode, CodeDef][] => Object.entries(REGISTRY) as [DiagnosticCode, CodeDef][];

const cell = (s: string): string => s.replace(/\|/g, "\\|");
const code = (s: string): string => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);

/** The diagnostics table of docs/language.md, each code linked to its section of docs/diagnostics.md. */
export function diagnosticsTableMarkdown(): string {
  const rows = entries().map(([c, e]) => `| [${c}](diagnostics.md#${c.toLowerCase()}) | ${e.severity} | ${cell(e.summary)} |`);
  for (const [c, what] of Object.entries(RETIRED)) rows.push(`| ${c} | retired | ${cell(what)} |`);
  return ["| code | severity | meaning |", "|---|---|---|", ...rows, ""].join("\n");
}

/** One code's section: what it means, and every message reported under it with its default hint. */
export function diagnosticDocMarkdown(c: DiagnosticCode, level = "##"): string {
  const e: CodeDef = REGISTRY[c];
  const messages = Object.values(e.messages).map((m) => `- ${code(m.text)}${m.hint ? ` (hint: ${code(m.hint)})` : ""}`);
  return [`${level} ${c}`, "", `**${e.severity}**: ${e.summary}`, "", e.docs, "", "Messages ({name} stands for a value filled in):", "", ...messages, ""].join(
    "\n",
  );
}

/** docs/diagnostics.md. */
export function diagnosticsPageMarkdown(): string {
  return [
    "# Diagnostics",
    "",
    "Every code the compiler reports (`adainfc check`, `compile`, `lint`, ...), with what it",
    "means and the messages it comes with. Lint rules have their own pages (docs/rules/).",
    "`adainfc explain <code>` prints one section.",
    "",
    "This page is generated from `src/check/registry.ts`; `npm run docs:diagnostics` rewrites it.",
    "",
    ...entries().map(([c]) => diagnosticDocMarkdown(c)),
    "## Retired codes",
    "",
    "No longer reported; a retired code is never given to another problem.",
    "",
    ...Object.entries(RETIRED).map(([c, what]) => `- ${c}: ${what}`),
    "",
  ].join("\n");
}
