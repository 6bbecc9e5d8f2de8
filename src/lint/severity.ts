// Which severity a rule runs at. Precedence, lowest first: the rule's default, the
// pipeline file's `lint { ... }` block, then `--rule id=sev` on the command line; finally
// `--deny warnings` turns every remaining warning into an error (as `-D warnings` does
// for rustc), so CI can fail on warnings without editing files.
import type { Severity } from "../check/diagnostic.js";
import type { RuleSeverity } from "../ir/types.js";
import { closest } from "../check/suggest.js";
import { LINT_CONFIG_CODE } from "../check/registry.js";

export interface SeverityOptions {
  /** From `--rule id=sev`, applied after the file's settings. */
  rules?: Record<string, RuleSeverity>;
  /** `--deny warnings`. */
  denyWarnings?: boolean;
}

const SPELLINGS: Record<string, RuleSeverity> = {
  off: "off",
  allow: "off",
  info: "info",
  note: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  deny: "error",
};

/** Parses one `--rule id=sev`; throws an Error with a user-facing message when malformed. */
export function parseRuleOption(text: string, knownIds: readonly string[]): [string, RuleSeverity] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error(`--rule expects id=off|info|warn|error, got '${text}'`);
  const id = text.slice(0, eq).trim();
  const sevText = text
    .slice(eq + 1)
    .trim()
    .toLowerCase();
  if (id === LINT_CONFIG_CODE)
    throw new Error(`'${id}' is not a rule and cannot be configured: fix or remove the lint block entry it names (adainfc explain ${id})`);
  if (!knownIds.includes(id)) {
    const guess = closest(id, knownIds);
    throw new Error(`unknown lint rule '${id}'${guess ? `; did you mean '${guess}'?` : ""} (adainfc explain --list shows them)`);
  }
  const sev = SPELLINGS[sevText];
  if (!sev) throw new Error(`unknown severity '${sevText}' for rule '${id}': use off, info, warn or error`);
  return [id, sev];
}

export function effectiveSeverity(id: string, defaultSeverity: RuleSeverity, fileRules: Record<string, RuleSeverity>, opts: SeverityOptions): RuleSeverity {
  let sev = opts.rules?.[id] ?? fileRules[id] ?? defaultSeverity;
  if (opts.denyWarnings && sev === "warn") sev = "error";
  return sev;
}

export function toDiagnosticSeverity(s: Exclude<RuleSeverity, "off">): Severity {
  return s === "warn" ? "warning" : s;
}
