// The compiler's front door: source file -> diagnostics + one IR per pipeline.
// Everything after this (check output, lint, emit, run) works from what it returns.
import { resolve as resolvePath } from "node:path";
import type { Diagnostic } from "./check/diagnostic.js";
import { diagnosticKey, groupByPoint, type PointCoords } from "./check/points.js";
import type { PipelineIR, Span, SpanMap } from "./ir/types.js";
import { validateIR } from "./ir/validate.js";
import { planFieldsDiffering, standInPlans, type StandInPlan } from "./ir/stand-in-plan.js";
import { localDecls, Program, type LoadedFile } from "./resolve/program.js";
import { resolvePipeline } from "./resolve/pipeline.js";
import { ResolveContext } from "./resolve/context.js";
import { pointDir, statementKeys, sweepAxes, sweepOf, sweepPoints, type SweepAxis, type SweepPoint } from "./resolve/sweep.js";
import { resolveAugmentDecls, resolveDatasetDecls } from "./resolve/presets.js";
import { parseSource } from "./syntax/parse.js";
import { LineMap, makeSpan } from "./syntax/lines.js";
import type { Decl, Statement } from "./syntax/ast.js";
import { diag, diagnostic } from "./check/registry.js";
import { setArgumentName, setArgumentNumber } from "./check/set-argument.js";
import { pushAll } from "./util/push-all.js";

export interface CompiledPipeline {
  ir: PipelineIR;
  spans: SpanMap;
}

export interface CompileOutput {
  diagnostics: Diagnostic[];
  pipelines: CompiledPipeline[];
  /** file (as shown in diagnostics) -> text, for code frames. */
  sources: Map<string, string>;
}

export interface CompileOptions {
  cwd?: string;
  /** `--set train.steps=500`: applied to every pipeline of the file, after its body. */
  overrides?: string[];
  /** Text to use instead of the file on disk (keyed by absolute path). */
  overlay?: Map<string, string>;
  /** Paths of texts in the overlay that are no files (an editor's `untitled:` buffer), with their URI scheme: their relative imports are not resolved (Program). */
  notFiles?: ReadonlyMap<string, string>;
  /** Only this pipeline (by name). */
  pipeline?: string;
}

export async function compileFile(path: string, opts: CompileOptions = {}): Promise<CompileOutput> {
  return compileFileSync(path, opts);
}

export function compileFileSync(path: string, opts: CompileOptions = {}): CompileOutput {
  const cwd = opts.cwd ?? process.cwd();
  const program = new Program({ cwd, ...(opts.overlay ? { overlay: opts.overlay } : {}), ...(opts.notFiles ? { notFiles: opts.notFiles } : {}) });
  const entry = program.loadEntry(path);
  const diagnostics: Diagnostic[] = [];
  const pipelines: CompiledPipeline[] = [];
  const finish = (): CompileOutput => {
    const sources = new Map<string, string>();
    for (const f of program.files.values()) sources.set(f.display, f.ast.text);
    return { diagnostics: ordered(dedupe([...program.diagnostics, ...diagnostics]), entry?.display ?? null), pipelines, sources };
  };
  if (!entry) return finish();
  if (program.diagnostics.some((d) => d.severity === "error")) return finish();
  program.checkDuplicates(entry);

  const setExtras = parseOverrides(opts.overrides ?? [], program, diagnostics);
  if (!setExtras) return finish();

  // Presets declared in this file are checked even when no pipeline uses them.
  pushAll(diagnostics, resolveDatasetDecls(entry, program), resolveAugmentDecls(entry, program));

  const decls = localDecls(entry).filter((d) => d.declKind === "pipeline");
  if (opts.pipeline && !decls.some((d) => d.name.text === opts.pipeline)) {
    const args = { file: entry.display, name: opts.pipeline, pipelines: decls.map((d) => d.name.text).join(", ") };
    diagnostics.push(diagnostic(decls.length ? diag.E010.noPipeline(args) : diag.E010.noPipelineDeclared(args), null));
  }
  const byDecl: { decl: Decl; runs: CompiledPipeline[] }[] = [];
  for (const decl of decls) {
    if (opts.pipeline && decl.name.text !== opts.pipeline) continue;
    const before = pipelines.length;
    compileDecl(decl, entry, program, setExtras, diagnostics, pipelines);
    byDecl.push({ decl, runs: pipelines.slice(before) });
  }
  pushAll(diagnostics, sharedRunDirs(byDecl, cwd));
  return finish();
}

/**
 * Two pipelines of the file (or points of two sweeps) that write to one run directory,
 * or a pipeline that writes into the folder of another's sweep points: a run directory
 * holds one run, so --resume would take the one's done.json for the other's and
 * --overwrite would delete it. Reported at the later pipeline's output.dir (its name
 * when the dir is defaulted or shared through a recipe). Points of one sweep that
 * collide are the sweep's own check (src/resolve/sweep.ts).
 */
function sharedRunDirs(byDecl: { decl: Decl; runs: CompiledPipeline[] }[], cwd: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const runDirs = new Map<string, { decl: Decl; ir: PipelineIR; span: Span | undefined }>();
  const sweepBases = new Map<string, { decl: Decl; span: Span | undefined }>();
  const placeOf = (decl: Decl, span: Span | undefined, firstSpan: Span | undefined): Span =>
    span && span.file === decl.name.span.file && !(firstSpan && firstSpan.file === span.file && firstSpan.start === span.start) ? span : decl.name.span;
  for (const { decl, runs } of byDecl) {
    let reported = false;
    const report = (d: ReturnType<typeof diag.E012.outputDirShared>, span: Span): void => {
      if (!reported) out.push(diagnostic(d, span));
      reported = true;
    };
    const mine: [string, { decl: Decl; ir: PipelineIR; span: Span | undefined }][] = [];
    for (const { ir, spans } of runs) {
      const span = spans["/output/dir"];
      const dir = resolvePath(cwd, ir.output.dir);
      const first = runDirs.get(dir);
      if (first) {
        report(
          diag.E012.outputDirShared({ name: ir.name, other: first.ir.name, dir: ir.output.dir, line: first.decl.name.span.line }),
          placeOf(decl, span, first.span),
        );
      }
      const base = sweepBases.get(dir);
      if (base) report(diag.E012.outputDirIsSweep({ name: ir.name, other: base.decl.name.text, dir: ir.output.dir }), placeOf(decl, span, base.span));
      if (ir.sweep) {
        const baseDir = resolvePath(dir, "..");
        const run = runDirs.get(baseDir);
        if (run) report(diag.E012.outputDirIsSweep({ name: run.ir.name, other: decl.name.text, dir: run.ir.output.dir }), placeOf(decl, span, run.span));
      }
      mine.push([dir, { decl, ir, span }]);
    }
    for (const [dir, run] of mine) {
      runDirs.set(dir, run);
      if (run.ir.sweep) sweepBases.set(resolvePath(dir, ".."), { decl, span: run.span });
    }
  }
  return out;
}

type Extras = { statements: Statement[]; file: LoadedFile }[];

/** One pipeline declaration: once, or once per point of its sweep. */
function compileDecl(decl: Decl, entry: LoadedFile, program: Program, setExtras: Extras, diagnostics: Diagnostic[], pipelines: CompiledPipeline[]): void {
  const sweep = sweepOf(decl);
  const runs: { point: SweepPoint | null; extras: Extras }[] = [];
  let axes: SweepAxis[] = [];
  if (sweep) {
    const ctx = new ResolveContext();
    axes = sweepAxes(sweep, entry, ctx);
    const points = sweepPoints(axes, ctx, sweep.span);
    pushAll(diagnostics, ctx.diagnostics);
    if (ctx.failed) return;
    // A --set of what the sweep varies would train every point with one value under
    // the points' own labels (and directories): refused.
    const clash = setOnSweep(axes, setExtras);
    if (clash) {
      diagnostics.push(diagnostic(diag.E012.setOnSweepAxis(clash), clash.span));
      return;
    }
    for (const p of points) runs.push({ point: p, extras: [{ statements: p.statements, file: entry }, ...setExtras] });
  } else runs.push({ point: null, extras: setExtras });

  // A problem shared by every point is reported once; one that only some points
  // have says which (src/check/points.ts).
  const found: { point: PointCoords | null; diagnostics: Diagnostic[] }[] = [];
  const resolved: PipelineIR[] = [];
  for (const run of runs) {
    const r = resolvePipeline(decl, entry, program, run.extras);
    found.push({ point: run.point?.coords ?? null, diagnostics: r.diagnostics });
    if (!r.ir) continue;
    if (run.point) {
      r.ir.sweep = { base: decl.name.text, point: run.point.coords };
      r.ir.name = `${decl.name.text}[${run.point.name}]`;
      r.ir.output.dir = `${r.ir.output.dir}/${pointDir(run.point.name)}`;
    }
    const schemaErrors = validateIR(r.ir);
    if (schemaErrors.length) {
      diagnostics.push(diagnostic(diag.E040.irSchema({ name: decl.name.text, errors: schemaErrors.join("; ") }), decl.name.span));
      continue;
    }
    pipelines.push({ ir: r.ir, spans: r.spans });
    resolved.push(r.ir);
  }
  pushAll(diagnostics, groupByPoint(found));
  if (resolved.length === runs.length) pushAll(diagnostics, sameSettings(axes, resolved), standInsApart(axes, resolved));
}

/**
 * Values of one axis that make the same point (`[1, 1.0]`, `[0.001, 1e-3]`, `[4, 4 steps]`):
 * an E012 at the second, as for a value written twice. Compared on the points that differ
 * only in this axis, the other axes at their first values, by their whole resolved IR
 * (samePoint): every setting counts, train.devices, output.keep and lint included.
 */
function sameSettings(axes: SweepAxis[], irs: PipelineIR[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Points are in axis order, the last axis fastest: value v of axis k is `v * stride`.
  let stride = irs.length;
  for (const axis of axes) {
    stride /= axis.values.length;
    for (let v = 1; v < axis.values.length; v++) {
      const twin = [...Array(v).keys()].find((u) => axis.values[u]!.name !== axis.values[v]!.name && samePoint(irs[u * stride]!, irs[v * stride]!));
      if (twin === undefined) continue;
      out.push(diagnostic(diag.E012.axisValueSame({ axis: axis.name, value: axis.values[v]!.name, first: axis.values[twin]!.name }), axis.values[v]!.span));
    }
  }
  return out;
}

/**
 * A `stand_in = true` file is made once, by the plan of the first point that misses it,
 * and then read by every point that names it. So points that name one stand-in file must
 * plan it alike: a sweep over the real source's `size` would otherwise train some points
 * beside a generator fitted on other real images than their own. An E012 at the axis
 * value whose point plans the file otherwise than a point at another value of that axis
 * (the other axes alike).
 */
function standInsApart(axes: SweepAxis[], irs: PipelineIR[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const plans = irs.map((ir) => new Map(standInPlans(ir).map(({ plan }) => [plan.out, plan])));
  const reported = new Set<string>();
  let stride = irs.length;
  for (const [k, axis] of axes.entries()) {
    stride /= axis.values.length;
    for (let i = 0; i < irs.length; i++) {
      const at = Math.floor(i / stride) % axis.values.length;
      for (let v = at + 1; v < axis.values.length; v++) {
        if (reported.has(`${k}:${v}`)) continue;
        const other = plans[i + (v - at) * stride]!;
        for (const [file, mine] of plans[i]!) {
          const theirs = other.get(file);
          if (theirs === undefined || planDifference(theirs, mine) === null) continue;
          reported.add(`${k}:${v}`);
          const value = axis.values[v]!;
          out.push(
            diagnostic(
              diag.E012.standInShared({
                axis: axis.name,
                value: value.name,
                first: axis.values[at]!.name,
                file,
                atValue: planDifference(theirs, mine)!,
                atFirst: planDifference(mine, theirs)!,
              }),
              value.span,
            ),
          );
          break;
        }
      }
    }
  }
  return out;
}

/** How plan `a` differs from `b`, as `adainfc generate`'s flags of `a` (`--first 500 --count 5000`), or null when alike. */
function planDifference(a: StandInPlan, b: StandInPlan): string | null {
  const words = planFieldsDiffering(a, b).map((f) => (f === "first" && a.first === null ? "all real images" : `--${f} ${a[f]}`));
  return words.length ? words.join(" ") : null;
}

/**
 * Two points of one sweep are one configuration: their IRs are equal but for what every
 * point has of its own (name, sweep coordinates, run folder). The values are resolved,
 * so `1` and `1.0` are already one number.
 */
function samePoint(a: PipelineIR, b: PipelineIR): boolean {
  const own = (ir: PipelineIR): unknown => ({ ...ir, name: null, sweep: null, output: { ...ir.output, dir: null } });
  return canonicalJson(own(a)) === canonicalJson(own(b));
}

/** JSON with object keys sorted, so that two equal values print the same. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** The first `--set` key that overlaps a setting some sweep axis varies (one is a prefix of the other). */
function setOnSweep(axes: SweepAxis[], setExtras: Extras): { key: string; varied: string; axis: string; span: Span } | null {
  const keysOf = (statements: Statement[], prefix: string): string[] => statements.flatMap((s) => statementKeys(s, prefix));
  const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  for (const { statements } of setExtras) {
    for (const s of statements) {
      for (const axis of axes) {
        const varied = axis.values.flatMap((v) => keysOf(v.statements, "")).find((k) => overlaps(s.key.text, k));
        if (varied !== undefined) return { key: s.key.text, varied, axis: axis.name, span: s.key.span };
      }
    }
  }
  return null;
}

/** What `--set` values are parsed inside; their spans are then moved into the user's argument. */
const SET_WRAPPER = { before: "pipeline set { ", after: " }" };

/**
 * `train.steps=500` -> a statement `train.steps = 500`, parsed with the real parser; one
 * file per argument, named setArgumentName(n) with the argument as its text, so that a
 * diagnostic's place and code frame are in what the user typed.
 */
function parseOverrides(overrides: string[], program: Program, diagnostics: Diagnostic[]): Extras | null {
  const extras: Extras = [];
  let ok = true;
  overrides.forEach((o, i) => {
    const display = setArgumentName(i + 1);
    // The argument is a source of its own, so every problem in it has a place and a frame.
    const file: LoadedFile = { display, abs: resolvePath(display), ast: { file: display, text: o, items: [], comments: [] }, isStd: false };
    program.files.set(file.abs, file);
    const spanOf = (start: number, end: number) => makeSpan(display, new LineMap(o), start, end);
    const eq = o.indexOf("=");
    if (eq <= 0) {
      ok = false;
      diagnostics.push(diagnostic(diag.E002.setNotKeyValue({ setting: o }), spanOf(0, o.length)));
      return;
    }
    const raw = o.slice(eq + 1);
    if (raw.trim() === "") {
      ok = false;
      diagnostics.push(diagnostic(diag.E002.setNoValue({ setting: o }), spanOf(eq, o.length)));
      return;
    }
    const parseAs = (value: string, quoted: boolean) => {
      const before = SET_WRAPPER.before.length;
      const valueAt = before + eq + 1;
      // Offsets up to the value as they are; in a value given quotes, one back (the quotes on the ends of the argument's value).
      const offset = (at: number) => (at < valueAt ? at - before : Math.max(eq + 1, at - before - (quoted ? 1 : 0)));
      const p = parseSource(`${SET_WRAPPER.before}${o.slice(0, eq + 1)}${value}${SET_WRAPPER.after}`, display, { text: o, offset });
      const d = p.ast.items[0];
      const statements = d?.kind === "decl" ? (d.body?.statements ?? []) : [];
      const stmt = !p.diagnostics.length && statements.length === 1 ? statements[0]! : null;
      return { parsed: p, stmt };
    };
    let attempt = parseAs(raw, false);
    // A bare value that is no expression (`--set output.dir=runs/x`) is taken as a string;
    // whether a string fits the key is then checked like any value.
    if (!attempt.stmt && raw !== "" && !/[\u0000-\u001f"\\]/.test(raw)) {
      const quoted = parseAs(`"${raw}"`, true);
      if (quoted.stmt) attempt = quoted;
    }
    const { parsed, stmt } = attempt;
    if (!stmt) {
      ok = false;
      const first = parsed.diagnostics[0];
      diagnostics.push(
        diagnostic(diag.E002.setNotOneSetting({ setting: o, problem: first?.message ?? "not a single setting" }), first?.span ?? spanOf(0, o.length)),
      );
      return;
    }
    // So is a bare (dotted) name (`--set output.dir=out`, `README.md`) where a string is
    // expected; where a name is (a preset, a choice), it stays a name.
    const v = stmt.value;
    if (v?.kind === "call" && v.args === null && v.with === null && v.unit === null) v.setWord = raw.trim();
    extras.push({ statements: [stmt], file });
  });
  return ok ? extras : null;
}

/** The entry file's diagnostics first, then other files, then `--set` arguments in order, each by position; no place last. */
function ordered(ds: Diagnostic[], entry: string | null): Diagnostic[] {
  const files: string[] = entry ? [entry] : [];
  for (const d of ds) if (d.span && !files.includes(d.span.file)) files.push(d.span.file);
  const set = (f: string) => setArgumentNumber(f) ?? 0;
  files.sort((a, b) => (a === entry ? -1 : b === entry ? 1 : set(a) - set(b)));
  const rank = (d: Diagnostic) => (d.span ? files.indexOf(d.span.file) : files.length);
  return [...ds].sort((a, b) => rank(a) - rank(b) || (a.span?.start ?? 0) - (b.span?.start ?? 0));
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = diagnosticKey(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
export { formatText } from "./syntax/format.js";
