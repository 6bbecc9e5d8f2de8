// The server's settings, from `initializationOptions` and from the `adainf` section of
// `workspace/didChangeConfiguration`: the debounce, `set` (the command line's `--set
// key=value` overrides, applied to every pipeline as `adainfc check` and `lint` apply
// them), `rules` (`--rule id=severity`, read by lint's own parser) and which inlay hints
// to give (inlay.ts). A value of the wrong shape is a problem to show the user, never an
// exception; the rest still applies.

import type { RuleSeverity } from "../ir/types.js";
import { RULE_IDS } from "../lint/rules/index.js";
import { parseRuleOption } from "../lint/severity.js";
import type { InlayOptions } from "./inlay.js";

export interface Settings {
  /** Milliseconds between the last change of a document and its diagnostics. */
  debounceMs: number;
  /** `--set key=value` overrides (each checked by the compiler, as on the command line). */
  overrides: string[];
  /** `--rule id=severity`, by rule id. */
  rules: Record<string, RuleSeverity>;
  /** Which inlay hints to give: the defaults of a call's unwritten parameters, the settings a block inherits, lengths in epochs in steps. */
  inlayHints: InlayOptions;
}

export const DEFAULT_SETTINGS: Settings = { debounceMs: 150, overrides: [], rules: {}, inlayHints: { defaults: true, inherited: true, steps: true } };

/**
 * `current` with what `raw` (`{ debounceMs, set, rules, inlayHints }`) gives: a key that is absent
 * keeps its value; `problems` says why a value was not taken (the key keeps its value
 * then; a bad rule is left out, the good ones apply).
 */
export function readSettings(raw: unknown, current: Settings): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const settings = { ...current };
  if (raw === null || raw === undefined) return { settings, problems };
  if (typeof raw !== "object" || Array.isArray(raw))
    return { settings, problems: ["adainf: the settings must be an object ({ debounceMs, set, rules, inlayHints })"] };
  const r = raw as { debounceMs?: unknown; set?: unknown; rules?: unknown; inlayHints?: unknown };
  if (r.debounceMs !== undefined) {
    if (typeof r.debounceMs === "number" && Number.isFinite(r.debounceMs) && r.debounceMs >= 0) settings.debounceMs = r.debounceMs;
    else problems.push(`adainf.debounceMs: expected a number of milliseconds >= 0, got ${JSON.stringify(r.debounceMs)}`);
  }
  if (r.set !== undefined && r.set !== null) {
    if (Array.isArray(r.set) && r.set.every((s) => typeof s === "string")) settings.overrides = [...r.set];
    else problems.push(`adainf.set: expected a list of "key=value" strings (as --set takes), got ${JSON.stringify(r.set)}`);
  }
  if (r.rules !== undefined && r.rules !== null) {
    if (typeof r.rules !== "object" || Array.isArray(r.rules)) {
      problems.push(`adainf.rules: expected an object of rule ids and severities ({ "vanilla-inflation": "error" }), got ${JSON.stringify(r.rules)}`);
    } else {
      settings.rules = {};
      for (const [id, sev] of Object.entries(r.rules)) {
        try {
          if (typeof sev !== "string") throw new Error(`the severity of '${id}' must be one of off, info, warn, error; got ${JSON.stringify(sev)}`);
          const [ruleId, severity] = parseRuleOption(`${id}=${sev}`, RULE_IDS);
          settings.rules[ruleId] = severity;
        } catch (e) {
          problems.push(`adainf.rules: ${(e as Error).message}`);
        }
      }
    }
  }
  if (r.inlayHints !== undefined && r.inlayHints !== null) {
    const h = r.inlayHints as Record<string, unknown>;
    const keys = Object.keys(DEFAULT_SETTINGS.inlayHints) as (keyof InlayOptions)[];
    if (typeof h !== "object" || Array.isArray(h) || !Object.keys(h).every((k) => keys.includes(k as keyof InlayOptions) && typeof h[k] === "boolean")) {
      problems.push(`adainf.inlayHints: expected an object of booleans, each one of ${keys.join(", ")}, got ${JSON.stringify(r.inlayHints)}`);
    } else settings.inlayHints = { ...settings.inlayHints, ...(h as Partial<InlayOptions>) };
  }
  return { settings, problems };
}
