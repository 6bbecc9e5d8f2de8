// `lint { allow(balance); deny(channel-order); data-scarce = info }` -> IR lint settings.
// Rule ids are checked by the linter, which knows them; this only reads the syntax.
import type { Statement } from "../syntax/ast.js";
import type * as IR from "../ir/types.js";
import { ptr, type ResolveContext } from "./context.js";
import { RULE_SEVERITIES } from "../ir/builtins.js";
import { bareName, interpretValue, INVALID } from "./values.js";
import { diag } from "../check/registry.js";

export function resolveLint(stmts: Statement[], lint: IR.LintConfigIR, ctx: ResolveContext): void {
  for (const s of stmts) {
    const key = s.key.text;
    if ((key === "allow" || key === "deny") && s.args) {
      for (const a of s.args.items) {
        const n = bareName(a.value) ?? (a.value.kind === "string" ? a.value.value : null);
        if (!n || a.name) {
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
