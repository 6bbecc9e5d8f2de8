// `adainfc compile <file>`: the resolved IR as JSON (`--emit ir`, the default), or a
// target's files (`--target solo-learn -o <dir>`, `--target ts -o <dir>`). Targets are
// loaded lazily so that `--emit ir` never pays for the YAML library or ts-morph. -o is
// checked (src/cli/output-path.ts) against the files the compile read before anything
// is written: never a pipeline or data file, never a run directory's own file. A
// target's files carry a marker (src/emit/own-files.ts): recompiling replaces its own
// unedited output, and refuses a file edited since or not its own (a link, a FIFO) unless
// --force; a folder where a file goes is refused always.
import { join, relative } from "node:path";
import { integerFlag, pipelineFlag } from "../args.js";
import { collect, type RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import { compileFileSync, type CompiledPipeline, type CompileOutput } from "../../driver.js";
import { pipelineFile } from "../files.js";
import type { Diagnostic } from "../../check/diagnostic.js";
import { renderDiagnostics } from "../../check/render.js";
import { checkFilesInFolder, checkOutput, pipelineInputs, writeOutput, type CheckedOutput, type OutputInput } from "../output-path.js";
import type { CompiledFile } from "../../emit/own-files.js";

interface CompileOpts {
  emit?: string;
  target?: string;
  pipeline?: string;
  spans?: boolean;
  set: string[];
  out?: string;
  devices?: string;
  flavour?: string;
  force?: boolean;
}

const TARGETS = ["ir", "solo-learn", "ts"] as const;

export const register: RegisterCommand = (program, ctx, setExit) => {
  program
    .command("compile")
    .description(
      "compile a pipeline: --emit ir prints the resolved IR as JSON; --target solo-learn -o <dir> writes solo-learn configs and run.sh; --target ts -o <dir> writes a TypeScript program per pipeline",
    )
    .argument("<file>", "an .adainf file")
    .option("--emit <what>", "what to emit: ir (the default)")
    .option("--target <target>", `what to compile to: ${TARGETS.join(", ")}`)
    .option("--pipeline <name>", "only this pipeline of the file")
    .option("--spans", "include the source span of every value (for tools; --emit ir)")
    .option("--set <key=value>", "override a setting (repeatable)", collect, [])
    .option("-o, --out <path>", "--emit ir: write to this file instead of stdout; --target solo-learn / ts: the output folder")
    .option("--devices <n>", "solo-learn: GPUs to spread the pipeline's total batch over (DDP), instead of its train.devices")
    .option("--flavour <f>", "solo-learn: adainf (the AdaInf fork, the default: data.dup, data.extra_data) or upstream (vturrisi/solo-learn)")
    .option(
      "--force",
      "--target solo-learn / ts: overwrite files edited since compile wrote them, or not written by it; --emit ir: an existing file that is not an IR compile wrote",
    )
    .action((file: string, opts: CompileOpts) => {
      const target = chooseTarget(opts);
      const devices = parseDevices(opts.devices, target);
      const flavour = parseFlavour(opts.flavour, target);
      if (target !== "ir" && opts.out === undefined) throw new UserError(`--target ${target} needs -o <dir>`, EXIT_USAGE);
      const pipeline = pipelineFlag(opts.pipeline);
      const out = compileFileSync(pipelineFile(file, ctx.cwd, "<file>"), {
        cwd: ctx.cwd,
        overrides: opts.set,
        ...(pipeline !== undefined ? { pipeline } : {}),
      });
      // -o is checked against every file the compile read, before anything is printed or written.
      const inputs = pipelineInputs(out);
      const dest =
        opts.out === undefined
          ? null
          : checkOutput(ctx.cwd, {
              path: opts.out,
              flag: "-o",
              command: target === "ir" ? "compile" : `compile --target ${target}`,
              kind: target === "ir" ? "json" : "folder",
              inputs,
              force: Boolean(opts.force),
            });
      report(ctx, out, out.diagnostics);
      if (out.diagnostics.some((d) => d.severity === "error")) {
        setExit(EXIT_ERRORS);
        return;
      }
      if (out.pipelines.length === 0) throw new UserError(`${file} declares no pipeline`);
      if (target === "ir") return emitIR(ctx, out.pipelines, opts, dest);
      if (target === "ts") return emitTs(ctx, out.pipelines, file, opts, dest!, inputs);
      return emitSolo(ctx, out, dest!, inputs, devices, flavour, Boolean(opts.force), setExit);
    });
};

function chooseTarget(opts: CompileOpts): (typeof TARGETS)[number] {
  if (opts.spans && (opts.target ?? "ir") !== "ir") throw new UserError(`--spans goes with the IR (--emit ir), not --target ${opts.target}`, EXIT_USAGE);
  if (opts.emit !== undefined && opts.emit !== "ir")
    throw new UserError(`--emit ${opts.emit} is not available (only: ir; for configs use --target)`, EXIT_USAGE);
  const t = opts.target ?? "ir";
  if (!(TARGETS as readonly string[]).includes(t)) throw new UserError(`unknown target '${t}' (available: ${TARGETS.join(", ")})`, EXIT_USAGE);
  if (opts.emit !== undefined && t !== "ir") throw new UserError(`--emit ir and --target ${t} cannot be combined`, EXIT_USAGE);
  return t as (typeof TARGETS)[number];
}

function parseDevices(raw: string | undefined, target: string): number | undefined {
  if (raw === undefined) return undefined;
  if (target !== "solo-learn") throw new UserError("--devices only applies to --target solo-learn", EXIT_USAGE);
  return integerFlag("--devices", raw, 1);
}

function parseFlavour(raw: string | undefined, target: string): "adainf" | "upstream" {
  if (raw === undefined) return "adainf";
  if (target !== "solo-learn") throw new UserError("--flavour only applies to --target solo-learn", EXIT_USAGE);
  if (raw !== "adainf" && raw !== "upstream") throw new UserError(`--flavour must be adainf or upstream, not '${raw}'`, EXIT_USAGE);
  return raw;
}

function report(ctx: CliContext, out: CompileOutput, diagnostics: Diagnostic[]): void {
  if (diagnostics.length) ctx.err(renderDiagnostics(diagnostics, (f) => out.sources.get(f) ?? null, { color: ctx.color }) + "\n");
}

function emitIR(ctx: CliContext, pipelines: CompiledPipeline[], opts: CompileOpts, dest: CheckedOutput | null): void {
  const value = pipelines.map((p) => (opts.spans ? { ir: p.ir, spans: p.spans } : p.ir));
  const json = JSON.stringify(value.length === 1 ? value[0] : value, null, 2) + "\n";
  if (dest) writeOutput(dest, json);
  else ctx.out(json);
}

async function emitSolo(
  ctx: CliContext,
  out: CompileOutput,
  dest: CheckedOutput,
  inputs: OutputInput[],
  devices: number | undefined,
  flavour: "adainf" | "upstream",
  force: boolean,
  setExit: (code: number) => void,
): Promise<void> {
  const { emitSoloLearn, soloDiagnostics } = await import("../../emit/solo-learn/emit.js");
  const results = out.pipelines.map((p) => ({ p, r: emitSoloLearn(p.ir, p.spans, { flavour, ...(devices === undefined ? {} : { devices }) }) }));
  // A sweep's points: each problem once, labelled with its points when not all have it.
  report(ctx, out, soloDiagnostics(results.map((x) => ({ ir: x.p.ir, diagnostics: x.r.diagnostics }))));
  // All or nothing: one refused pipeline of a file (or sweep) writes no files at all.
  if (results.some((x) => x.r.diagnostics.some((d) => d.severity === "error"))) {
    ctx.err("error: nothing written: solo-learn cannot express the construct(s) above\n");
    setExit(EXIT_ERRORS);
    return;
  }
  const several = results.length > 1;
  const folders = results.map(({ p, r }) => ({ r, target: several ? join(dest.abs, p.ir.name.replace(/[^A-Za-z0-9_.-]/g, "_")) : dest.abs }));
  await writeTarget(
    ctx,
    dest,
    inputs,
    folders.map(({ r, target }) => ({ dir: target, files: r.files })),
    force,
  );
}

async function emitTs(
  ctx: CliContext,
  pipelines: CompiledPipeline[],
  file: string,
  opts: CompileOpts,
  dest: CheckedOutput,
  inputs: OutputInput[],
): Promise<void> {
  const { emitTypeScript } = await import("../../emit/typescript/emit.js");
  const dir = dest.abs;
  const command = [
    "adainfc compile",
    file,
    "--target ts",
    ...(opts.pipeline ? ["--pipeline", opts.pipeline] : []),
    ...opts.set.map((s) => `--set ${s}`),
    "-o",
    opts.out!,
  ].join(" ");
  const files = emitTypeScript(
    pipelines.map((p) => p.ir),
    { outDir: dir, cwd: ctx.cwd, command },
  );
  await writeTarget(ctx, dest, inputs, [{ dir, files }], Boolean(opts.force));
}

/**
 * A target's files, every one checked before any is written: never an input or a run
 * directory's file (checkFilesInFolder), and, unless --force, never one that exists and
 * is not compile's unedited output (the user edited it, or compile did not write it).
 */
async function writeTarget(
  ctx: CliContext,
  dest: CheckedOutput,
  inputs: OutputInput[],
  folders: readonly { dir: string; files: readonly CompiledFile[] }[],
  force: boolean,
): Promise<void> {
  const { filesInTheWay, writeCompiledFiles } = await import("../../emit/own-files.js");
  const paths = folders.flatMap(({ dir, files }) => files.map((f) => join(dir, f.path)));
  checkFilesInFolder(ctx.cwd, dest, paths, inputs);
  const inTheWay = filesInTheWay(paths);
  // A folder cannot be replaced by a file, even with --force.
  const folder = inTheWay.find((f) => f.why === "folder");
  if (folder)
    throw new UserError(
      `${relative(ctx.cwd, folder.path) || folder.path} is a folder, where compile writes a file: nothing was written; move it away, or choose another -o`,
    );
  const [first, ...more] = force ? [] : inTheWay;
  if (first !== undefined) {
    const what = {
      edited: "was edited since adainfc compile wrote it",
      foreign: "was not written by adainfc compile (it has no marker line)",
      link: "is a symbolic link, not a file adainfc compile wrote",
      special: "is not a regular file (a FIFO, socket or device), not one adainfc compile wrote",
      folder: "",
    }[first.why];
    const others = more.length ? ` (and ${more.length} more file${more.length === 1 ? "" : "s"})` : "";
    throw new UserError(
      `${relative(ctx.cwd, first.path) || first.path} ${what}${others}: nothing was written; pass --force to overwrite, or choose another -o`,
    );
  }
  for (const { dir, files } of folders) for (const path of writeCompiledFiles(dir, files)) ctx.out(`wrote ${relative(ctx.cwd, path) || path}\n`);
}
