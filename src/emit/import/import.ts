// `adainfc import solo-learn`: a solo-learn config (+ augmentations) -> a formatted
// pipeline that inherits its method's recipe and states only what differs from it.
//
// How it decides what to leave out: one compile of a probe file holding the fully
// explicit pipeline and, for each statement the recipe might already give, a copy
// without it. A statement whose removal leaves the IR unchanged is redundant. The
// result is compiled once more and must give the explicit pipeline's IR; if not, the
// explicit text is written instead. So the output is short, and exact by construction.
// A config giving both max_steps and max_epochs is read twice: the epoch length, from a
// compile of the first reading, decides which of them stops training (interpret.ts).
// Errors, notes and compile errors about a config value are put at its key's place
// here, each through the one place map (places.ts); an error about a key carries the
// composing notes that may explain it (ImportError.notes: a defaults file not there).

import { dirname, join, relative, resolve } from "node:path";
import { compileFileSync, type CompileOutput } from "../../driver.js";
import type { PipelineIR } from "../../ir/types.js";
import { defaultOutputDir } from "../../ir/builtins.js";
import { formatText } from "../../syntax/format.js";
import { shellCommand } from "../../util/shell-quote.js";
import { interpret, notesBefore, type ImportPlan } from "./interpret.js";
import { str, type Mark, type Valued } from "./literal.js";
import { Places, shownPath } from "./places.js";
import { type LoadedSoloConfig, loadSoloConfig } from "./compose.js";
import { parseOverride } from "./overrides.js";
import { ImportError } from "./read-config.js";
import { items, pipelineMarked, pipelineText, presetDecl, type AugmentForm, type Item } from "./source-text.js";

export interface ImportOptions {
  /** The augmentations YAML, when the config's defaults list does not lead to it. */
  augmentations?: string;
  /** Working directory for compiling the result (IR `file` is relative to it). */
  cwd: string;
  /** Where the pipeline will be written (probes compile as if they were there). */
  outFile: string;
  /** Hydra's command-line overrides, as typed after the config (`augmentations=x.yaml`, `data.dup=10`): overrides.ts. */
  overrides?: string[];
}

export interface ImportResult {
  text: string;
  ir: PipelineIR;
  plan: ImportPlan;
  /** What solo-learn did that the pipeline does not say, each at the place of its key. */
  notes: string[];
  /** Every file read besides the config (absolute), and what it is: none may be overwritten by the output. */
  inputs: { path: string; as: string }[];
}

export { ImportError };

/** The IR without what legitimately differs between probe copies. */
function comparable(ir: PipelineIR): string {
  return JSON.stringify({ ...ir, name: "", file: "", augment: { ...ir.augment, preset: null } });
}

function compileText(text: string, opts: ImportOptions, tag: string): CompileOutput {
  const path = join(dirname(resolve(opts.cwd, opts.outFile)), `.adainf-import-${tag}-${process.pid}.adainf`);
  return compileFileSync(path, { cwd: opts.cwd, overlay: new Map([[path, text]]) });
}

/**
 * Errors inside [0, end) of the probe file: those of the explicit pipeline, each at the
 * place of the config key whose value it is about (the innermost of `marks` holding its
 * start), when it is about one.
 */
function errorsOf(out: CompileOutput, end: number, marks: Mark[], places: Places): string[] {
  const msgs = out.diagnostics
    .filter((d) => d.severity === "error" && (d.span === null || d.span.start < end))
    .map((d) => {
      const text = `${d.code}: ${d.message}`;
      const at = d.span?.start;
      const mark = at === undefined ? undefined : marks.filter((m) => m.start <= at && at < m.end).sort((a, b) => a.end - a.start - (b.end - b.start))[0];
      return mark ? places.located(mark.at, text) : text;
    });
  return [...new Set(msgs)];
}

/**
 * The epoch length in steps of the pipeline a plan makes (its data over its batch, as
 * the compiler counts epochs: src/resolve/pipeline.ts), from one probe compile; null
 * when it is unknown (an npz of unknown size) or the probe does not compile (its
 * errors are reported by the import's own compile).
 */
function epochLength(plan: ImportPlan, opts: ImportOptions): number | null {
  const out = compileText(pipelineText("probe_length", plan, items(plan, "inline"), null), opts, "length");
  const t = out.pipelines[0]?.ir.train;
  return t && t.epochSize !== null && t.batchSize > 0 ? Math.floor(t.epochSize / t.batchSize) : null;
}

export function importSoloLearn(configPath: string, opts: ImportOptions): ImportResult {
  const configAbs = resolve(opts.cwd, configPath);
  const places = new Places(shownPath(opts.cwd, configAbs));
  let loaded: LoadedSoloConfig | undefined;
  let plan: ImportPlan;
  const typed = opts.overrides ?? [];
  try {
    // Each override has a place of its own: what is said about it, or a key it set, names it as typed.
    const overrides = typed.map((text, i) => {
      const at = `\u0000override#${i}`;
      places.overridePlace(at, text);
      return parseOverride(text, at);
    });
    loaded = loadSoloConfig(configAbs, opts.augmentations ? resolve(opts.cwd, opts.augmentations) : undefined, places, opts.cwd, overrides);
    plan = interpret(loaded, opts.cwd);
    // max_steps and max_epochs both set: the epoch length decides which stops training
    // first (and so the warm-up), as the compiled pipeline counts it; read it again with it.
    if (plan.needsEpochLength) plan = interpret(loaded, opts.cwd, epochLength(plan, opts));
  } catch (e) {
    if (e instanceof ImportError) {
      e.locate(places);
      // A key missing because a defaults entry was not followed or its file is not there: its note says why.
      if (loaded) e.notes = notesBefore(loaded, e.key).map((n) => places.located(n.at, n.text));
    }
    throw e;
  }
  const notes = plan.notes.map((n) => places.located(n.at, n.text));
  // The output directory the config names, else the default one (then not written).
  const defaultDir = defaultOutputDir(plan.name);
  const givenDir = plan.output.dir;
  const wantedDir: Valued = givenDir ?? { value: str(defaultDir), at: null };
  const writtenDir = givenDir && !(givenDir.value.kind === "str" && givenDir.value.v === defaultDir) ? givenDir : null;

  // Round 1: the explicit pipeline (inline views), its copies without one statement
  // each, and the views named by preset, all in one file.
  const full = items(plan, "inline");
  const removable = full.map((it, i) => ({ it, i })).filter((x) => x.it.removable);
  const explicitProbe = pipelineMarked("probe_full", plan, full, wantedDir);
  const probes: string[] = [explicitProbe.text];
  for (const { i } of removable)
    probes.push(
      pipelineText(
        `probe_without_${i}`,
        plan,
        full.filter((_, j) => j !== i),
        wantedDir,
      ),
    );
  const named = plan.augmentPreset !== null;
  if (named) probes.push(pipelineText("probe_named", plan, items(plan, "named"), wantedDir));
  const round1 = compileText(probes.join("\n"), opts, "probe");
  const byName = new Map(round1.pipelines.map((p) => [p.ir.name, p.ir]));
  const fullIR = byName.get("probe_full");
  if (!fullIR)
    throw new ImportError(
      `the imported settings do not make a valid pipeline:\n  ${errorsOf(round1, explicitProbe.text.length, explicitProbe.marks, places).join("\n  ")}`,
    );

  // The preset: the stdlib's (or project's) when it expands to the same views, else
  // declared in the imported file under the same name.
  const namedIR = byName.get("probe_named");
  const form: AugmentForm = !named
    ? "inline"
    : namedIR && JSON.stringify(namedIR.augment.views) === JSON.stringify(fullIR.augment.views)
      ? "named"
      : "declared";
  const wantedAugment = JSON.stringify({ preset: plan.augmentPreset, symmetric: fullIR.augment.symmetric, views: fullIR.augment.views });

  const redundant = new Set<number>();
  for (const { it, i } of removable) {
    const ir = byName.get(`probe_without_${i}`);
    if (!ir) continue;
    if (it.key === "augment") {
      if (JSON.stringify(ir.augment) === wantedAugment) redundant.add(i);
    } else if (comparable(ir) === comparable(fullIR)) redundant.add(i);
  }

  // The other files its defaults list merged, where they went (the augmentations file is named above).
  const merged = loaded.defaults
    .filter((d) => d.merged && d.path !== loaded.augmentationsPath)
    .map((d) => `${oneLine(relative(opts.cwd, d.path))} at ${d.key === "" ? "the top level" : d.key}`);
  const header = [
    `// Imported from solo-learn by \`adainfc import solo-learn\`: ${oneLine(shellCommand([configPath, ...typed]))}`,
    `// (augmentations: ${oneLine(relative(opts.cwd, loaded.augmentationsPath))}). Settings not written here come from the ${plan.method} recipe.`,
    ...(merged.length > 0 ? [`// Merged from its defaults list: ${merged.join(", ")}.`] : []),
    ...notes.map((n) => `// note: ${oneLine(n)}`),
  ].join("\n");
  const build = (list: Item[]) => {
    const decl = form === "declared" ? presetDecl(plan) + "\n" : "";
    const raw = `${header}\n${decl}${pipelineText(plan.name, plan, list, writtenDir)}`;
    const f = formatText(raw, opts.outFile);
    if (f.diagnostics.length) throw new Error(`import wrote text that does not parse: ${f.diagnostics[0]!.message}`);
    return f.text;
  };
  const check = (text: string): PipelineIR | null => {
    const out = compileText(text, opts, "check");
    const ir = out.pipelines[0]?.ir;
    if (!ir || out.diagnostics.some((d) => d.severity === "error")) return null;
    const sameAugment = JSON.stringify({ preset: ir.augment.preset, symmetric: ir.augment.symmetric, views: ir.augment.views }) === wantedAugment;
    return sameAugment && comparable(ir) === comparable(fullIR) && ir.name === plan.name ? ir : null;
  };

  const explicit = items(plan, form);
  const short = build(explicit.filter((_, i) => !redundant.has(i)));
  let ir = check(short);
  const result = { plan, notes, inputs: loaded.inputs };
  if (ir) return { text: short, ir, ...result };
  const long = build(explicit);
  ir = check(long);
  if (ir) return { text: long, ir, ...result };
  throw new Error("import could not reproduce the config's settings as a pipeline (a bug; please report it with the config)");
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]/g, " ");
}
