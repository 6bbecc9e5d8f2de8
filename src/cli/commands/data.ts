// `adainfc data info|convert|fetch|check`. Every module of the data layer is imported
// lazily inside the action, so registering this command costs nothing. A bad data
// file ends the command with exit 1 and one line `error: <path>: <what is wrong>`.
// Progress goes to stderr: a bar on a terminal, plain lines every few seconds otherwise.
// convert's -o is checked before any image is read (src/cli/output-path.ts); Ctrl-C (or
// SIGTERM) during convert or fetch removes its temporary file (and fetch what its
// extraction created and the folders it made), says so in one line, exits 130 (143); a
// second one quits fetch at once, removing the same first. An empty path argument is a
// usage error.
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import type { RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import { integerFlag, nonEmpty } from "../args.js";
import type { PipelineIR, SpanMap } from "../../ir/types.js";
import { checkOutput } from "../output-path.js";
import { progressFor, type Progress, type ProgressWords } from "../progress.js";
import { exitCodeFor, quitLine, stopSignals } from "../../runtime/stop-signals.js";

/** The data commands' phases, for the plain progress lines when stderr is not a terminal. */
const DATA_PROGRESS: ProgressWords = {
  words: { reading: "reading the archive", decoding: "decoding images", converting: "converting images", downloading: "downloading" },
  units: { reading: " bytes", decoding: " images", converting: " images", downloading: " bytes" },
};

/**
 * progressFor with the units of phases named with their file (their names are not known
 * in advance: the runtime's FILE_PHASES give them), and `rename` to show a phase's path
 * as the user typed it.
 */
export async function dataProgress(ctx: CliContext, base: ProgressWords, rename: (task: string) => string = (t) => t): Promise<Progress> {
  const { parseFilePhase } = await import("../../runtime/data/phases.js");
  const units: Record<string, string> = { ...base.units };
  const bar = await progressFor(ctx, { ...(base.words ? { words: base.words } : {}), units });
  return {
    update(task, done, total) {
      const name = rename(task);
      if (!(name in units)) {
        const unit = parseFilePhase(name)?.unit;
        if (unit) units[name] = unit;
      }
      bar.update(name, done, total);
    },
    stop: () => bar.stop(),
  };
}

/** `1 image`, `2 images`: a count with its noun. */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Run an action; DataErrors become one `error:` line and exit 1. `shown` maps the
 * absolute paths the action worked on back to what the user typed, so the message
 * names the file the way the user named it.
 */
async function guarded(ctx: CliContext, action: () => Promise<number>, shown: Record<string, string> = {}): Promise<number> {
  const { DataError } = await import("../../formats/data-error.js");
  try {
    return await action();
  } catch (e) {
    if (e instanceof DataError) {
      let where = e.path;
      for (const [abs, typed] of Object.entries(shown)) {
        if (where === abs || where.startsWith(abs + "/")) where = typed + where.slice(abs.length);
      }
      ctx.err(`error: ${where}: ${e.what}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  }
}

const fmt = (n: number): string => n.toLocaleString("en-US");

export const register: RegisterCommand = (program: Command, ctx, setExit) => {
  const data = program.command("data").description("inspect, convert, fetch and check data");

  data
    .command("info")
    .description(
      "format, size, shape, labels and channel means of a data source (reads headers and a sample of images; does not verify checksums: `data check` does)",
    )
    .argument(
      "<source>",
      "an .npz file, a CIFAR-10/100 binary folder, an image folder, or `mnist`; as for generate --from, a :train, :test (or mnist:all) suffix picks a split",
    )
    .option("--json", "print JSON (keys: format, count, shape, dtype, labeled, unlabeled, channelMeans, mixedSizes)")
    .option("--split <split>", "train or test (CIFAR, MNIST); the same as a :train or :test suffix")
    .option("--layout <layout>", "npz image layout: nhwc, nchw or auto", "auto")
    .action(async (target: string, opts: { json?: boolean; split?: string; layout: string }) => {
      nonEmpty(target, "<source>", "an .npz file, a folder, or mnist");
      if (opts.split !== undefined && opts.split !== "train" && opts.split !== "test") {
        throw new UserError(`--split must be train or test, not '${opts.split}'`, EXIT_USAGE);
      }
      if (!["nhwc", "nchw", "auto"].includes(opts.layout)) throw new UserError(`--layout must be nhwc, nchw or auto, not '${opts.layout}'`, EXIT_USAGE);
      // The path part of the spec, for naming files the way the user typed them.
      const { parseSourceSpec } = await import("../../runtime/data/source-spec.js");
      const typed = parseSourceSpec(target, ctx.cwd).target;
      setExit(
        await guarded(
          ctx,
          async () => {
            const { dataInfo, infoJson } = await import("../../runtime/data/info.js");
            const bar = await dataProgress(ctx, DATA_PROGRESS);
            try {
              const info = await dataInfo(target, {
                cwd: ctx.cwd,
                layout: opts.layout as "nhwc" | "nchw" | "auto",
                ...(opts.split ? { split: opts.split as "train" | "test" } : {}),
                onProgress: (task, d, t) => bar.update(task, d, t),
              });
              bar.stop();
              if (opts.json) {
                ctx.out(JSON.stringify(infoJson(info)) + "\n");
                return EXIT_OK;
              }
              const means = info.channelMeans.map((m) => m.toFixed(4)).join(", ");
              const stds = info.channelStd.map((m) => m.toFixed(4)).join(", ");
              ctx.out(
                [
                  `path:      ${info.path}`,
                  `format:    ${info.format}${info.split ? ` (${info.split} split)` : ""}${info.layout ? `, layout ${info.layout}` : ""}`,
                  `count:     ${fmt(info.count)}`,
                  `shape:     ${info.shape.join("x")} (HxWxC)${info.mixedSizes ? " (first image; sizes differ)" : ""}`,
                  `dtype:     ${info.dtype}`,
                  `labeled:   ${fmt(info.labeled)}`,
                  `unlabeled: ${fmt(info.unlabeled)}`,
                  `means:     (${means}), stds (${stds}) over ${count(info.sampled, "image")}`,
                ].join("\n") + "\n",
              );
              return EXIT_OK;
            } finally {
              bar.stop();
            }
          },
          { [resolve(ctx.cwd, typed)]: typed },
        ),
      );
    });

  data
    .command("convert")
    .description("convert an image folder (PNG, JPEG, WebP) to an npz with image (N,H,W,3 uint8 RGB) and label (-1)")
    .argument("<folder>", "folder of images (searched recursively, sorted by path)")
    .requiredOption("-o, --out <file>", "output .npz")
    .option("--resize <HxW>", "resize every image to H x W (bicubic); default: all must match the first")
    .option("--force", "replace an existing file that adainfc did not write (or of another kind)")
    .action(async (folder: string, opts: { out: string; resize?: string; force?: boolean }) => {
      nonEmpty(folder, "<folder>", "a folder of images");
      let resize: [number, number] | undefined;
      if (opts.resize !== undefined) {
        const { MAX_RESIZE_SIDE } = await import("../../runtime/data/folder.js");
        const m = /^(\d+)x(\d+)$/.exec(opts.resize);
        if (!m) throw new UserError(`--resize must look like 32x32 (height x width), not '${opts.resize}'`, EXIT_USAGE);
        resize = [Number(m[1]), Number(m[2])];
        if (resize.some((side) => side < 1 || side > MAX_RESIZE_SIDE)) {
          throw new UserError(
            `--resize ${opts.resize}: each side must be 1 to ${MAX_RESIZE_SIDE} pixels (larger images do not fit in memory a few at a time; training images are 32 to 224 a side)`,
            EXIT_USAGE,
          );
        }
      }
      const out = checkOutput(ctx.cwd, {
        path: opts.out,
        flag: "-o",
        command: "data convert",
        kind: "npz",
        inputs: [{ path: folder, as: `the image folder ${folder}` }],
        force: Boolean(opts.force),
      });
      setExit(
        await guarded(
          ctx,
          async () => {
            const { convertFolderToNpz } = await import("../../runtime/data/folder.js");
            const bar = await progressFor(ctx, DATA_PROGRESS);
            // Ctrl-C or SIGTERM: the temporary file goes at once, one line, exit 130 (143).
            const controller = new AbortController();
            const stop = stopSignals(() => controller.abort());
            try {
              const result = await convertFolderToNpz(resolve(ctx.cwd, folder), out.abs, {
                ...(resize ? { resize } : {}),
                onProgress: (d, t) => bar.update("converting", d, t),
                signal: controller.signal,
              });
              bar.stop();
              ctx.out(`wrote ${opts.out}: ${count(result.count, "image")}, ${result.shape.join("x")} uint8 RGB, labels -1\n`);
              return EXIT_OK;
            } catch (e) {
              bar.stop();
              if (stop.stoppedBy === null) throw e;
              const who = stop.stoppedBy === "SIGINT" ? "interrupted" : `stopped by ${stop.stoppedBy}`;
              ctx.err(`${who} while converting ${folder} to ${opts.out}: nothing was written\n`);
              return exitCodeFor(stop.stoppedBy);
            } finally {
              stop.dispose();
              bar.stop();
            }
          },
          { [resolve(ctx.cwd, folder)]: folder, [out.abs]: opts.out },
        ),
      );
    });

  data
    .command("fetch")
    .description("download CIFAR-10 or CIFAR-100 (binary version), check its MD5 and extract it")
    .argument("<dataset>", "cifar10 or cifar100")
    .option("--dir <dir>", "where to put it (default: datasets/<dataset>, where the shipped pipelines read it)")
    .option("--url <url>", "download from this mirror instead (same archive, same checksum)")
    .action(async (dataset: string, given: { dir?: string; url?: string }) => {
      if (dataset !== "cifar10" && dataset !== "cifar100") throw new UserError(`dataset must be cifar10 or cifar100, not '${dataset}'`, EXIT_USAGE);
      // The shipped pipelines and the stdlib read cifar10("datasets/cifar10"): fetched there by default, they run.
      const opts = { ...given, dir: given.dir ?? `datasets/${dataset}` };
      nonEmpty(opts.dir, "--dir", `a folder path (without --dir: datasets/${dataset})`);
      const { fetchCifar, httpUrl, CIFAR_ARCHIVES, FetchLeftovers } = await import("../../runtime/data/fetch.js");
      // Both flags are checked before anything is downloaded or created.
      if (opts.url !== undefined && !httpUrl(opts.url)) {
        throw new UserError(`--url: not an http(s) URL: ${opts.url} (give a mirror's full address, like https://host/cifar-10-binary.tar.gz)`, EXIT_USAGE);
      }
      const dir = resolve(ctx.cwd, opts.dir);
      const { writableDir } = await import("../../util/fs-errors.js");
      let madeDir: string | undefined;
      try {
        madeDir = writableDir(dir);
      } catch (e) {
        // Named as the user gave it: the flag only when it was typed.
        const named = given.dir === undefined ? `${opts.dir} (the default --dir)` : `--dir ${opts.dir}`;
        throw new UserError(
          `${named}: ${(e as Error).message}; give ${given.dir === undefined ? "--dir " : ""}a folder you can write in (it is created if missing)`,
        );
      }
      setExit(
        await guarded(
          ctx,
          async () => {
            const spec = CIFAR_ARCHIVES[dataset];
            const bar = await progressFor(ctx, DATA_PROGRESS);
            // Ctrl-C or SIGTERM: the download, checksum or extraction stops, the download and
            // what was made for it go, one line, exit 130 (143). A second one quits at once,
            // removing them first (synchronously).
            const controller = new AbortController();
            const leftovers = new FetchLeftovers();
            const stop = stopSignals(
              () => controller.abort(),
              (signal) => {
                leftovers.removeNow();
                ctx.err(quitLine(signal, null, ctx.cwd));
              },
            );
            try {
              const folder = await fetchCifar(dataset, dir, {
                archive: { url: opts.url ?? spec.url, md5: spec.md5 },
                onProgress: (d, t) => bar.update("downloading", d, t),
                ...(madeDir ? { madeDir } : {}),
                signal: controller.signal,
                leftovers,
              });
              bar.stop();
              ctx.out(`${dataset} ready in ${relative(ctx.cwd, folder) || "."}\n`);
              return EXIT_OK;
            } catch (e) {
              bar.stop();
              if (stop.stoppedBy === null) throw e;
              const who = stop.stoppedBy === "SIGINT" ? "interrupted" : `stopped by ${stop.stoppedBy}`;
              ctx.err(`${who} while fetching ${dataset} into ${opts.dir}: nothing was kept\n`);
              return exitCodeFor(stop.stoppedBy);
            } finally {
              stop.dispose();
              bar.stop();
            }
          },
          { [dir]: opts.dir },
        ),
      );
    });

  data
    .command("check")
    .description("open every data source of a pipeline and compare generated with real data")
    .argument("<pipeline>", ".adainf file")
    .option("--samples <n>", "images per source for the channel statistics", "2000")
    .action(async (file: string, opts: { samples: string }) => {
      const samples = integerFlag("--samples", opts.samples, 1);
      // The front end is loaded only here: `data info` never pays for the compiler.
      const { compileFile } = await import("../../driver.js");
      const { renderDiagnostics } = await import("../../check/render.js");
      const { pipelineFile } = await import("../files.js");
      const out = await compileFile(pipelineFile(file, ctx.cwd), { cwd: ctx.cwd });
      const lookup = (f: string): string | null => out.sources.get(f) ?? null;
      if (out.diagnostics.some((d) => d.severity === "error") || out.pipelines.length === 0) {
        if (out.diagnostics.length) ctx.err(renderDiagnostics(out.diagnostics, lookup, { color: ctx.color }) + "\n");
        else ctx.err(`error: ${file}: no pipeline to check\n`);
        setExit(EXIT_ERRORS);
        return;
      }
      for (const p of out.pipelines) setExit(await runDataCheck(p.ir, ctx, { spans: p.spans, samples, sources: lookup }));
    });
};

export interface RunDataCheckOptions {
  spans?: SpanMap;
  samples?: number;
  /** Source text by file, for code frames. */
  sources?: (file: string) => string | null;
}

/** The body of `data check` for one compiled pipeline: prints diagnostics, returns the exit code. */
export async function runDataCheck(ir: PipelineIR, ctx: CliContext, options: RunDataCheckOptions = {}): Promise<number> {
  return guarded(ctx, async () => {
    const { checkPipelineData } = await import("../../runtime/data/check.js");
    const { renderDiagnostics, summarize } = await import("../../check/render.js");
    const bar = await dataProgress(ctx, DATA_PROGRESS);
    try {
      const diagnostics = await checkPipelineData(ir, {
        cwd: ctx.cwd,
        ...(options.spans ? { spans: options.spans } : {}),
        ...(options.samples ? { sampleSize: options.samples } : {}),
        onProgress: (task, d, t) => bar.update(task, d, t),
      });
      bar.stop();
      if (diagnostics.length) ctx.err(renderDiagnostics(diagnostics, options.sources ?? (() => null), { color: ctx.color }) + "\n");
      ctx.err(`data of pipeline ${ir.name}: ${summarize(diagnostics)}\n`);
      return diagnostics.some((d) => d.severity === "error") ? EXIT_ERRORS : EXIT_OK;
    } finally {
      bar.stop();
    }
  });
}
