// `--format sarif`: SARIF 2.1.0, the format GitHub code scanning reads, so findings
// show up on pull requests. One run; the driver (name, version, documentation) lists
// every lint rule (plus any compile diagnostic code that occurred); each result points
// at a region of a file (or of a `--set` argument: an artifact with its text embedded),
// with the source it covers when the text is known, names the sweep points it holds on
// (message and `properties.points`) and carries its fix, when it has one, as SARIF
// replacements. File paths are URIs (relative references, or file: URIs when absolute).
// Microsoft's SARIF validator accepts it without errors or warnings
// (test/lint/sarif-validate.test.ts).
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic, Severity } from "../../check/diagnostic.js";
import { REGISTRY, type DiagnosticCode } from "../../check/registry.js";
import { setArgumentNumber } from "../../check/set-argument.js";
import type { SourceLookup } from "../../check/render.js";
import type { Span } from "../../ir/types.js";
import { LINE_ENDS, LineMap } from "../../syntax/lines.js";
import { docsUri, ownPackage } from "../../util/own-package.js";
import type { PipelineLintResult } from "../engine.js";
import { ALL_RULES } from "../rules/index.js";
import { codeDocsUri } from "../code-docs.js";
import type { RuleMeta } from "../types.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

type SarifLevel = "error" | "warning" | "note";

const LEVEL: Record<Severity, SarifLevel> = { error: "error", warning: "warning", info: "note" };
const DEFAULT_LEVEL: Record<RuleMeta["defaultSeverity"], SarifLevel> = { error: "error", warn: "warning", info: "note" };

export interface SarifOptions {
  /** Tool version for `runs[0].tool.driver.version` (default: package.json's). */
  version?: string;
  /** Source text by file, for each region's snippet and context (none when unknown). */
  sources?: SourceLookup;
}

/**
 * The `name` of a code that is not a lint rule (a lint rule names itself, RuleMeta.name):
 * SARIF wants a PascalCase "friendly name" that differs from the id, even in case.
 * E021 -> CompileErrorE021, W002 -> CompileWarningW002, D011 -> DataCheckD011, lint-config -> LintConfig.
 */
function codeName(code: string): string {
  const coded = /^([EWD])\d+$/.exec(code);
  if (coded) return `${{ E: "CompileError", W: "CompileWarning", D: "DataCheck" }[coded[1] as "E" | "W" | "D"]}${code}`;
  const name = code
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
  return name.toLowerCase() === code.toLowerCase() ? `Adainfc${name}` : name;
}

export function toSarif(diagnostics: readonly Diagnostic[], results: readonly PipelineLintResult[], opts: SarifOptions = {}): object {
  const rules: object[] = ALL_RULES.map((r) => ({
    id: r.meta.id,
    name: r.meta.name,
    shortDescription: { text: r.meta.docs.summary },
    fullDescription: { text: r.meta.docs.rationale },
    // The rule's generated page (`adainfc explain <id>` prints the same).
    helpUri: codeDocsUri(r.meta.id),
    help: { text: `${r.meta.docs.fix}\n\nExample:\n${r.meta.docs.example}`, markdown: `${r.meta.docs.fix}\n\n\`\`\`\n${r.meta.docs.example}\n\`\`\`` },
    defaultConfiguration: { level: DEFAULT_LEVEL[r.meta.defaultSeverity] },
    properties: { fixable: r.meta.fixable },
  }));
  const index = new Map<string, number>(ALL_RULES.map((r, i) => [r.meta.id, i]));
  for (const d of diagnostics) {
    if (index.has(d.code)) continue;
    index.set(d.code, rules.length);
    // A compiler code: its summary and docs from the diagnostics registry, its page in
    // docs/diagnostics.md (generated from the registry).
    const registered = Object.hasOwn(REGISTRY, d.code) ? REGISTRY[d.code as DiagnosticCode] : undefined;
    rules.push({
      id: d.code,
      name: codeName(d.code),
      shortDescription: { text: registered?.summary ?? `adainfc diagnostic ${d.code}` },
      ...(registered ? { fullDescription: { text: registered.docs } } : {}),
      helpUri: codeDocsUri(d.code),
      defaultConfiguration: { level: LEVEL[d.severity] },
    });
  }
  const sources = opts.sources ?? (() => null);
  const artifacts = setArtifacts(diagnostics, sources);
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "adainfc",
            version: opts.version ?? ownPackage().version,
            informationUri: docsUri("README.md"),
            rules,
          },
        },
        // Regions count lines as editors do (a lone CR ends one too; SARIF's default is
        // CRLF and LF only) and columns in UTF-16 code units.
        newlineSequences: LINE_ENDS,
        columnKind: "utf16CodeUnits",
        ...(artifacts.list.length
          ? { originalUriBaseIds: { [SET_BASE]: { description: { text: "the command line's --set arguments (no files)" } } }, artifacts: artifacts.list }
          : {}),
        results: diagnostics.map((d) => result(d, index.get(d.code)!, sources, artifacts.location)),
        properties: {
          pipelines: results.map((r) => ({
            name: r.pipeline,
            file: uri(r.file),
            point: r.point,
            generatedShare: r.quantities.generatedShare,
            inflationFactor: r.quantities.inflationFactor,
            strength: r.quantities.strength,
          })),
        },
      },
    ],
  };
}

/**
 * A file as a URI (RFC 3986, as SARIF requires): an absolute path as a `file:` URI, a
 * relative one as a relative reference (to the folder lint ran in), each segment
 * percent-encoded, so a space, `#` or `%` in a name stays part of the path.
 */
export function uri(file: string): string {
  const slashed = file.replace(/\\/g, "/");
  if (path.isAbsolute(file) || /^[A-Za-z]:\//.test(slashed)) return pathToFileURL(file).href;
  return slashed
    .replace(/^(\.\/)+/, "")
    .split("/")
    .map(encodeURIComponent)
    .join("/");
}

/** The base of `--set` arguments' URIs: not the source tree. */
const SET_BASE = "ADAINFC_SET_ARGUMENTS";

/**
 * A `--set` argument is no file: it is an artifact of the run with its text embedded
 * (`contents`), located by its name (`--set #1`, URI-encoded) under SET_BASE, and named
 * by index as well; its region counts in that text.
 */
function setArtifacts(diagnostics: readonly Diagnostic[], sources: SourceLookup): { list: object[]; location: Map<string, object> } {
  const list: object[] = [];
  const location = new Map<string, object>();
  for (const d of diagnostics) {
    const file = d.span?.file;
    if (file === undefined || location.has(file) || setArgumentNumber(file) === null) continue;
    const text = sources(file);
    const at = { uri: encodeURIComponent(file), uriBaseId: SET_BASE };
    location.set(file, { ...at, index: list.length });
    list.push({ location: at, description: { text: `the command-line argument ${file}` }, ...(text !== null ? { contents: { text } } : {}) });
  }
  return { list, location };
}

function result(d: Diagnostic, ruleIndex: number, sources: SourceLookup, artifacts: Map<string, object>): object {
  const r: Record<string, unknown> = {
    ruleId: d.code,
    ruleIndex,
    level: LEVEL[d.severity],
    // The message already names the points (src/check/points.ts); the property bag
    // lists them for tools, as SARIF has no notion of its own for them.
    message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
  };
  if (d.points) r.properties = { points: d.points };
  if (d.span) {
    const text = sources(d.span.file);
    r.locations = [
      {
        physicalLocation: {
          artifactLocation: artifacts.get(d.span.file) ?? { uri: uri(d.span.file) },
          region: {
            startLine: d.span.line,
            startColumn: d.span.column,
            endLine: d.span.endLine,
            endColumn: d.span.endColumn,
            ...(text !== null ? { snippet: { text: text.slice(d.span.start, d.span.end) } } : {}),
          },
          ...(text !== null ? { contextRegion: contextRegion(text, d.span) } : {}),
        },
      },
    ];
  }
  if (d.fix?.length) {
    r.fixes = [
      {
        description: { text: d.hint ?? "apply the rule's fix" },
        artifactChanges: [...new Set(d.fix.map((e) => e.span.file))].map((file) => ({
          artifactLocation: { uri: uri(file) },
          replacements: d
            .fix!.filter((e) => e.span.file === file)
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

/** The lines of the span with one line either side, as SARIF's `contextRegion`: the file's text, its line ends as written. */
function contextRegion(text: string, span: Span): object {
  const lines = new LineMap(text);
  const startLine = Math.max(1, span.line - 1);
  const endLine = Math.min(lines.lineCount, Math.max(span.line, span.endLine) + 1);
  return { startLine, endLine, snippet: { text: text.slice(lines.starts[startLine - 1], lines.lineEnd(endLine - 1)) } };
}
