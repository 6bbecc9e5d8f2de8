// `adainfc explain <rule>`: a lint rule's documentation (what, why, example, fix), the
// same text as docs/rules/<id>.md; `adainfc explain E020`: a diagnostic code's section of
// docs/diagnostics.md; `adainfc explain lint-config`: that code's meaning (a lint block
// entry naming no rule). `--list` prints every rule with its summary.
import type { Command } from "commander";
import type { RegisterCommand } from "../command.js";
import { EXIT_OK, EXIT_USAGE, type CliContext } from "../context.js";

export const register: RegisterCommand = (program: Command, ctx: CliContext, setExit: (code: number) => void) => {
  program
    .command("explain")
    .description("explain a lint rule (what it reports, the paper's finding behind it, an example and the fix) or a diagnostic code")
    .argument("[rule]", "rule id, e.g. balance, or diagnostic code, e.g. E020 or D011")
    .option("--list", "list every rule")
    .action(async (rule: string | undefined, opts: { list?: boolean }) => {
      setExit(await runExplainCommand(rule, opts, ctx));
    });
};

export async function runExplainCommand(rule: string | undefined, opts: { list?: boolean }, ctx: CliContext): Promise<number> {
  const { ALL_RULES, findRule, RULE_IDS } = await import("../../lint/rules/index.js");
  if (opts.list && rule !== undefined) {
    ctx.err(`error: --list lists every rule; give either --list or a rule or code ('${rule}'), not both\n`);
    return EXIT_USAGE;
  }
  if (opts.list || rule === undefined) {
    const width = Math.max(...RULE_IDS.map((id) => id.length));
    for (const r of ALL_RULES) ctx.out(`${r.meta.id.padEnd(width)}  ${r.meta.defaultSeverity.padEnd(5)}  ${r.meta.docs.summary}\n`);
    return EXIT_OK;
  }
  if (/^[EWD]\d{3}$/i.test(rule)) {
    const { REGISTRY, RETIRED } = await import("../../check/registry.js");
    const code = rule.toUpperCase();
    if (code in REGISTRY) {
      const { diagnosticDocMarkdown } = await import("../../check/registry-docs.js");
      ctx.out(diagnosticDocMarkdown(code as keyof typeof REGISTRY, "#"));
      return EXIT_OK;
    }
    if (RETIRED[code]) {
      ctx.out(`# ${code} (retired)\n\n${RETIRED[code]}\n`);
      return EXIT_OK;
    }
    ctx.err(`error: unknown diagnostic code '${rule}' (docs/diagnostics.md lists them)\n`);
    return EXIT_USAGE;
  }
  const { LINT_CONFIG_CODE } = await import("../../check/registry.js");
  if (rule === LINT_CONFIG_CODE) {
    const { diagnosticDocMarkdown } = await import("../../check/registry-docs.js");
    ctx.out(diagnosticDocMarkdown(LINT_CONFIG_CODE, "#"));
    return EXIT_OK;
  }
  const found = findRule(rule);
  if (!found) {
    const { closest } = await import("../../check/suggest.js");
    const guess = closest(rule, RULE_IDS);
    // Shaped like a code (E0100, W5), not like a rule: said as a code, with where codes are listed.
    if (/^[EWD]\d+$/i.test(rule)) {
      ctx.err(`error: unknown diagnostic code '${rule}' (codes are a letter and three digits, such as E020; docs/diagnostics.md lists them)\n`);
      return EXIT_USAGE;
    }
    ctx.err(`error: unknown rule '${rule}'${guess ? `; did you mean '${guess}'?` : ""} (adainfc explain --list shows them)\n`);
    return EXIT_USAGE;
  }
  const { ruleDocMarkdown } = await import("../../lint/rule-docs.js");
  ctx.out(ruleDocMarkdown(found));
  return EXIT_OK;
}
