import type { Diagnostic, Severity } from "../../check/diagnostic.js";
import type { PipelineLintResult } from "../engine.js";
import { ALL_RULES } from "../rules/index.js";
import type { RuleMeta } from "../types.js";

// `--format sarif`: SARIF 2.1.0, the format GitHub code scanning reads, so findings
// show up on pull requests. One run; the driver lists every lint rule (plus any compile
// diagnostic code that occurred); each result points at a region of a file and carries
// its fix, when it has one, as SARIF replacements.

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

type SarifLevel = "error" | "warning" | "note";

const LEVEL: Record<Severity, SarifLevel> = { error: "error", warning: "warning", info: "note" };
const DEFAULT_LEVEL: Record<RuleMeta["defaultSeverity"], SarifLevel> = { error: "error", warn: "warning", info: "note" };

export interface SarifOptions {
  /** Tool version for `runs[0].tool.driver.version`. */
  version?: string;
}

export function toSarif(
  diagnostics: readonly Diagnostic[],
  results: readonly PipelineLintResult[],
  opts: SarifOptions = {},
): object {
  const rules: object[] = ALL_RULES.map((r) => ({
    id: r.meta.id,
    name: r.meta.id,
    shortDescription: { text: r.meta.docs.summary },
    fullDescription: { text: r.meta.docs.rationale },
    // No helpUri: the repository's public address is not known here; the help text
    // carries the fix and example, and `adainfc explain <id>` the rest.
    help: { text: `${r.meta.docs.fix}\n\nExample:\n${r.meta.docs.example}`, markdown: `${r.meta.docs.fix}\n\n\`\`\`\n${r.meta.docs.example}\n\`\`\`` },
    defaultConfiguration: { level: DEFAULT_LEVEL[r.meta.defaultSeverity] },
    properties: { fixable: r.meta.fixable },
  }));
  const index = new Map<string, number>(ALL_RULES.map((r, i) => [r.meta.id, i]));
  for (const d of diagnostics) {
    if (index.has(d.code)) continue;
    index.set(d.code, rules.length);
    rules.push({
      id: d.code,
      name: d.code,
      shortDescription: { text: `adainfc compile diagnostic ${d.code}` },
      defaultConfiguration: { level: LEVEL[d.severity] },
    });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "adainfc",
            ...(opts.version ? { version: opts.version } : {}),
            rules,
          },
        },
        results: diagnostics.map((d) => result(d, index.get(d.code)!)),
        properties: {
          pipelines: results.map((r) => ({
            name: r.pipeline,
            file: uri(r.file),
            generatedShare: r.quantities.generatedShare,
            inflationFactor: r.quantities.inflationFactor,
            strength: r.quantities.strength,
          })),
        },
      },
    ],
  };
}

function uri(file: string): string {
  return file.replace(/\\/g, "/").replace(/^\.\//, "");
}

function result(d: Diagnostic, ruleIndex: number): object {
  const r: Record<string, unknown> = {
    ruleId: d.code,
    ruleIndex,
    level: LEVEL[d.severity],
    message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
  };
  if (d.span) {
    r.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: uri(d.span.file) },
          region: {
            startLine: d.span.line,
            startColumn: d.span.column,
            endLine: d.span.endLine,
            endColumn: d.span.endColumn,
          },
        },
      },
    ];
  }
  if (d.fix && d.fix.length) {
    r.fixes = [
      {
        description: { text: d.hint ?? "apply the rule's fix" },
        artifactChanges: [...new Set(d.fix.map((e) => e.span.file))].map((file) => ({
          artifactLocation: { uri: uri(file) },
          replacements: d.fix!
            .filter((e) => e.span.file === file)
            .map((e) => ({
              deletedRegion: { charOffset: e.span.start, charLength: e.span.end - e.span.start },
              insertedContent: { text: e.text },
            })),
        })),
      },
    ];
  }
  return r;
}
