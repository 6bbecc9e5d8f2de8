// One rule's documentation as markdown: the page in docs/rules/<id>.md and the text of
// `adainfc explain <id>` are both this, so they cannot drift apart.
import type { LintRule } from "./types.js";

const SEVERITY_WORD = { info: "info", warn: "warning", error: "error" } as const;

export function ruleDocMarkdown(rule: LintRule): string {
  const { id, docs, defaultSeverity, fixable } = rule.meta;
  return [
    `# ${id}`,
    "",
    docs.summary,
    "",
    `Default severity: **${SEVERITY_WORD[defaultSeverity]}**. Automatic fix: **${fixable ? "yes" : "no"}**.`,
    "",
    "## Why",
    "",
    docs.rationale,
    "",
    "## Example",
    "",
    "```",
    docs.example,
    "```",
    "",
    "## Fix",
    "",
    docs.fix,
    "",
    "## Configure",
    "",
    "```",
    `lint { allow(${id}) }            // in the pipeline file: off (deny(...) = error, ${id} = info)`,
    `adainfc lint --rule ${id}=error  // on the command line: off, info, warn or error`,
    "```",
    "",
    "This page is generated from `src/lint/rules/" + id + ".ts` (see docs/lint.md).",
    "",
  ].join("\n");
}

/** The table of rules in docs/lint.md. */
export function rulesTableMarkdown(rules: readonly LintRule[]): string {
  const rows = rules.map(
    (r) => `| [\`${r.meta.id}\`](rules/${r.meta.id}.md) | ${SEVERITY_WORD[r.meta.defaultSeverity]} | ${r.meta.fixable ? "yes" : ""} | ${r.meta.docs.summary} |`,
  );
  return ["| rule | default | fix | reports |", "|---|---|---|---|", ...rows, ""].join("\n");
}
