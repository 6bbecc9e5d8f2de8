// Files whose lines end with LF, CRLF, a lone CR (old Mac files) or a mix of the three:
// `check` and `lint` (text, JSON and SARIF) count lines as an editor does, each of the
// three ending a line. A diagnostic's line:col and its code frame are the same as in
// the LF file, spans still cover the same characters, and a frame shows one line.
import { describe, expect, it } from "vitest";
import { cli, project } from "../helpers.js";

const LINES = [
  "// line ends",
  "augment weak = symetric with { strength = 0.5 }",
  "pipeline p from simclr {",
  "  data {",
  '    real = cifar10("datasets/cifar10", split = train)',
  '    generated = npz("datasets/g.npz", size = 1_000_000, fid = 1.94)',
  '    eval = cifar10("datasets/cifar10", split = test)',
  "  }",
  "  inflate {",
  "    real x 1",
  "    generated x 1",
  "  }",
  "  augment = weak",
  "}",
];

/** The same without the error, for lint (which lints only what compiles). */
const LINT_LINES = LINES.map((l) => l.replace("symetric", "symmetric"));

/** The file with each line ended by `eol`, or by `eol`'s entries in turn. */
function text(eol: string | readonly string[], lines = LINES): string {
  const ends = typeof eol === "string" ? [eol] : eol;
  return lines.map((l, i) => l + ends[i % ends.length]).join("");
}

const STYLES: [string, string | readonly string[]][] = [
  ["CRLF", "\r\n"],
  ["lone CR", "\r"],
  ["mixed", ["\r", "\r\n", "\n"]],
];

interface JsonDiagnostic {
  code: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

async function check(source: string, ...args: string[]) {
  const dir = project({ "p.adainf": source });
  return cli(["check", ...args, "p.adainf"], dir);
}

async function lint(source: string, ...args: string[]) {
  const dir = project({ "p.adainf": source });
  return cli(["lint", ...args, "p.adainf"], dir);
}

const places = (ds: JsonDiagnostic[]) => ds.map((d) => `${d.code} ${d.line}:${d.column}-${d.endLine}:${d.endColumn}`);

describe("line ends in the CLI's diagnostics", () => {
  it("the LF file's error is on line 2, as the test expects", async () => {
    const out = await check(text("\n"));
    expect(out.err).toContain("p.adainf:2:16: error[E010]");
    expect(out.err).toMatch(/^> 2 \| augment weak = symetric with \{ strength = 0\.5 \}$/m);
  });

  it.each(STYLES)("check prints a %s file as the LF file", async (_name, eol) => {
    const lf = await check(text("\n"));
    const other = await check(text(eol));
    expect(other.err).not.toContain("\u240d");
    expect(other.err).toBe(lf.err);
    expect(other.code).toBe(lf.code);
  });

  it("check --format json places each problem on the editor's line, for every line end", async () => {
    const lf = JSON.parse((await check(text("\n"), "--format", "json")).out).files[0].diagnostics as JsonDiagnostic[];
    expect(lf.length).toBeGreaterThan(0);
    for (const [, eol] of STYLES) {
      const other = JSON.parse((await check(text(eol), "--format", "json")).out).files[0].diagnostics as JsonDiagnostic[];
      expect(places(other)).toEqual(places(lf));
    }
  });

  it("a problem after a mix of line ends is framed on its own single line", async () => {
    const source = "// a\r// b\r\n\r// c\n  \raugment weak = symetric\r\n";
    const out = await check(source);
    expect(out.err).toContain("p.adainf:6:16: error[E010]");
    expect(out.err).toMatch(/^ {2}5 \| {3}\n> 6 \| augment weak = symetric\n {4}\| {16}\^{8}\n/m);
  });

  it("lint's text, JSON and SARIF agree with the LF file", async () => {
    const lf = text("\n", LINT_LINES);
    const lfText = await lint(lf);
    const lfJson = JSON.parse((await lint(lf, "--format", "json")).out).diagnostics as JsonDiagnostic[];
    const lfSarif = JSON.parse((await lint(lf, "--format", "sarif")).out);
    expect(lfJson.some((d) => d.line > 2)).toBe(true);
    // SARIF's default line ends are CRLF and LF: the run says a lone CR ends a line too
    expect(lfSarif.runs[0].newlineSequences).toEqual(["\r\n", "\n", "\r"]);
    for (const [, eol] of STYLES) {
      const source = text(eol, LINT_LINES);
      expect((await lint(source)).out).toBe(lfText.out);
      const json = JSON.parse((await lint(source, "--format", "json")).out).diagnostics as JsonDiagnostic[];
      expect(places(json)).toEqual(places(lfJson));
      const sarif = JSON.parse((await lint(source, "--format", "sarif")).out);
      const regions = (log: typeof sarif) =>
        log.runs[0].results.map((r: { locations: { physicalLocation: { region: object; contextRegion: { startLine: number; endLine: number } } }[] }) => {
          const p = r.locations[0]!.physicalLocation;
          return [p.region, p.contextRegion.startLine, p.contextRegion.endLine];
        });
      expect(regions(sarif)).toEqual(regions(lfSarif));
      // the context snippet is the file's own text, line ends as written
      for (const r of sarif.runs[0].results) {
        const snippet = r.locations[0].physicalLocation.contextRegion.snippet.text as string;
        expect(source).toContain(snippet);
      }
    }
  });
});
