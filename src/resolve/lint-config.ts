// `lint { allow(balance); deny(channel-order); data-scarce = info }` -> IR lint settings.
// Rule ids are checked by the linter, which knows them; this only reads the syntax.
import type { Arg, Args, Statement } from "../syntax/ast.js";
import type * as IR from "../ir/types.js";
import { ptr, type ResolveContext } from "./context.js";
import { RULE_SEVERITIES } from "../ir/builtins.js";
import { bareName, interpretValue, INVALID } from "./values.js";
import { diag } from "../check/registry.js";

/** Whether a statement of a `lint` block is `allow(...)` or `deny(...)`: a list of rule ids. */
export function isRuleList(s: Statement): s is Statement & { args: Args } {
  return (s.key.text === "allow" || s.key.text === "deny") && s.args !== null;
}

/** The rule id an argument of `allow(...)`/`deny(...)` names (a name or a string, not `k = v`); null for another. */
export function ruleIdOf(a: Arg): string | null {
  if (a.name) return null;
  return bareName(a.value) ?? (a.value.kind === "string" ? a.value.value : null);
}

export function resolveLint(stmts: Statement[], lint: IR.LintConfigIR, ctx: ResolveContext): void {
  for (const s of stmts) {
    const key = s.key.text;
    if (isRuleList(s)) {
      for (const a of s.args.items) {
        const n = ruleIdOf(a);
        if (!n) {
          ctx.report(diag.E020.lintRuleIds({ key }), a.span);
          continue;
        }
        lint.rules[n] = key === "allow" ? "off" : "error";
        ctx.at(ptr("/lint/rules", n), a.span);
      }
      continue;
    }
    if (s.value) {
      const v = interpretValue(s.value, { kind: "enum", values: RULE_SEVERITIES }, ctx, `lint rule '${key}'`);
      const severity = RULE_SEVERITIES.find((x) => x === v);
      if (v !== INVALID && severity) {
        lint.rules[key] = severity;
        ctx.at(ptr("/lint/rules", key), s.span);
      }
      continue;
    }
    ctx.report(diag.E020.lintForm(), s.span);
  }
}
