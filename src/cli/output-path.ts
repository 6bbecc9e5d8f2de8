// Where a command writes its output (-o): one check for every command that takes one
// (generate, data convert, compile, report, preview, import), made before any heavy
// work. Refused with exit 2 (a bad flag value): an empty path; a path that is, after
// following symbolic links, one of the command's own inputs; one of a run directory's
// own files (formats/run-dir.ts); an existing file of another kind than the command
// writes, or of the same kind that adainfc did not write (formats/own-output.ts: a
// user's dataset, photo or package.json); `--force` passes both. A path that cannot take
// a file (a folder, a device, a path under a file, a folder that cannot be written) is
// one line naming -o, exit 1, as other file-system mistakes. adainfc's own earlier
// output of the same kind is replaced. writeOutput writes atomically and names the
// user's path, never the temporary file, when that fails.
import fs from "node:fs";
import path from "node:path";
import type { CompileOutput } from "../driver.js";
import { HEAD_BYTES, isOwnOutput } from "../formats/own-output.js";
import { readFileAt } from "../formats/zip.js";
import { runDirEntryOf } from "../formats/run-dir.js";
import { PIPELINE_EXTENSION } from "../util/adainf-files.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { describeFsError } from "../util/fs-errors.js";
import { shownPath } from "../util/shown-path.js";
import { EXIT_USAGE, UserError } from "./context.js";

/** What a command writes: one file of a kind, or a folder of files. */
export type OutputKind = "npz" | "json" | "html" | "png" | "adainf" | "folder";
type FileKind = Exclude<OutputKind, "folder">;

const WORDS: Record<FileKind | "other", string> = {
  npz: "an npz (zip) file",
  json: "a JSON file",
  html: "an HTML page",
  png: "a PNG image",
  adainf: "a .adainf pipeline file",
  other: "a file of another kind",
};

const EXAMPLES: Record<OutputKind, string> = {
  npz: "gen.npz",
  json: "ir.json",
  html: "report.html",
  png: "preview.png",
  adainf: "pipeline.adainf",
  folder: "out",
};

/**
 * Text kinds known by their file name, for files whose first bytes do not tell. An npz
 * or a PNG is known by its first bytes alone: a text file named x.npz is another kind.
 */
const EXTENSIONS: Record<string, FileKind> = { ".json": "json", ".html": "html", ".htm": "html", [PIPELINE_EXTENSION]: "adainf" };

/** A file or folder the command reads: its path (relative to the working directory) and how a message names it. */
export interface OutputInput {
  path: string;
  as: string;
}

export interface OutputSpec {
  /** The path as the user gave it. */
  path: string;
  /** The flag that gave it ("-o"); null for a command's default output. */
  flag: string | null;
  /** The command's name, for messages ("preview writes a PNG image"). */
  command: string;
  kind: OutputKind;
  /** What the command reads; those that do not exist are left out. */
  inputs: readonly OutputInput[];
  /** The value of the command's --force, where it has one: it lets an existing file of another kind be replaced. */
  force?: boolean;
  /** Files written beside the output (generate's sidecar <out>.json), checked the same way. */
  beside?: ReadonlyArray<{ path: string; kind: FileKind }>;
}

/** An output that passed checkOutput: its absolute path and how to name it. */
export interface CheckedOutput {
  abs: string;
  shown: string;
  flag: string | null;
}

interface RealInput {
  as: string;
  real: string;
  st: fs.Stats;
}

/** Check an output before the work; throws a UserError (one line) when it must not be written. */
export function checkOutput(cwd: string, spec: OutputSpec): CheckedOutput {
  const flag = spec.flag ?? "the output";
  if (spec.path === "") {
    throw new UserError(`${flag} '' is empty: give a ${spec.kind === "folder" ? "folder" : "file"} path (e.g. ${flag} ${EXAMPLES[spec.kind]})`, EXIT_USAGE);
  }
  const inputs = realInputs(cwd, spec.inputs);
  const label = spec.flag ? `${spec.flag} ${spec.path}` : spec.path;
  checkOne(cwd, path.resolve(cwd, spec.path), label, spec.kind, spec, inputs);
  for (const b of spec.beside ?? []) checkOne(cwd, path.resolve(cwd, b.path), `${b.path} (written beside ${label})`, b.kind, spec, inputs, true);
  return { abs: path.resolve(cwd, spec.path), shown: spec.path, flag: spec.flag };
}

/**
 * The files a command writes into a checked output folder (compile's targets), before
 * writing any: none may be one of the command's inputs or a run directory's own file.
 */
export function checkFilesInFolder(cwd: string, out: CheckedOutput, files: readonly string[], inputs: readonly OutputInput[]): void {
  const real = realInputs(cwd, inputs);
  for (const file of files) {
    const label = `${path.relative(cwd, file) || file} (written into ${out.flag ?? "the output"} ${out.shown})`;
    conflicts(cwd, file, label, statOf(file, label), real);
  }
}

/** The pipeline files a compile read and the data files its pipelines name. */
export function pipelineInputs(out: CompileOutput): OutputInput[] {
  const files = [...out.sources.keys()].map((f) => ({ path: f, as: `the pipeline file ${f}` }));
  const data = out.pipelines.flatMap((p) =>
    p.ir.data.sources.flatMap((s) => (s.path === null ? [] : [{ path: s.path, as: `data source '${s.name}' of ${p.ir.name}: ${s.path}` }])),
  );
  return [...files, ...data];
}

/** Write a checked output atomically; a failure is one line naming the user's path, with what to do. */
export function writeOutput(out: CheckedOutput, data: string | Uint8Array): void {
  try {
    writeFileAtomic(out.abs, data);
  } catch (e) {
    const line = describeFsError(e, (e as NodeJS.ErrnoException).path === out.abs ? out.shown : undefined);
    if (line) throw new UserError(`${line}: choose another ${out.flag ?? "output"}`);
    throw e;
  }
}

function checkOne(cwd: string, abs: string, label: string, kind: OutputKind, spec: OutputSpec, inputs: RealInput[], beside = false): void {
  const st = statOf(abs, label);
  conflicts(cwd, abs, label, st, inputs);
  if (kind === "folder") {
    if (st && !st.isDirectory()) throw new UserError(`${label} is a file, not a folder: choose another output folder`);
    if (!st) checkParent(cwd, abs, label);
    return;
  }
  if (!st) {
    checkParent(cwd, abs, label);
    return;
  }
  if (st.isDirectory()) {
    // A file written beside the output has its name from it: only another output name (or moving the folder) helps.
    if (beside) throw new UserError(`${label} is a folder, not a file: move that folder away, or choose another ${spec.flag ?? "output"}`);
    throw new UserError(`${label} is a folder, not a file: give a file path (e.g. ${spec.flag ?? "-o"} ${path.join(spec.path, EXAMPLES[kind])})`);
  }
  if (!st.isFile()) throw new UserError(`${label} is not a regular file (a device, a pipe or a socket): choose another output`);
  const { kind: found, head } = existingKind(abs, st.size);
  if (found === "empty" || spec.force) return;
  const hint = spec.force === false ? ", or pass --force to replace it" : "";
  if (found !== kind) {
    throw new UserError(`${label} already holds ${WORDS[found]}, and ${spec.command} writes ${WORDS[kind]}: choose another output${hint}`, EXIT_USAGE);
  }
  // Nothing marks a .adainf file (import's) as written by adainfc: an existing one is replaced only with --force.
  if (kind === "adainf") throw new UserError(`${label} already holds ${WORDS[kind]}: choose another output${hint}`, EXIT_USAGE);
  if (!isOwnOutput(abs, kind, st.size, head)) {
    throw new UserError(`${label} already holds ${WORDS[kind]} that adainfc did not write: choose another output${hint}`, EXIT_USAGE);
  }
}

/** (a) one of the command's inputs, (b) a run directory's own file: never written, whatever the flags. */
function conflicts(cwd: string, abs: string, label: string, st: fs.Stats | null, inputs: RealInput[]): void {
  const real = realish(abs);
  for (const input of inputs) {
    if (real === input.real || (st && st.dev === input.st.dev && st.ino === input.st.ino)) {
      throw new UserError(`${label} is this command's input (${input.as}): choose another output`, EXIT_USAGE);
    }
  }
  const run = runDirEntryOf(real);
  if (run) {
    throw new UserError(`${label} is a run directory's own file (${run.entry} of ${shownPath(cwd, run.dir)}): choose another output`, EXIT_USAGE);
  }
}

/**
 * The first existing folder above `abs` must take new files (missing folders are made
 * when writing): its own folder is tried with an empty file, removed at once (a
 * permission, a read-only mount, a file system such as /proc that takes none); a
 * folder further up is asked for write permission.
 */
function checkParent(cwd: string, abs: string, label: string): void {
  const refused = (dir: string, e: unknown): UserError =>
    new UserError(`${label}: ${shownPath(cwd, dir)} does not take new files (${(e as NodeJS.ErrnoException).code ?? String(e)}): choose another output`);
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    const st = statOf(dir, label);
    if (st) {
      if (!st.isDirectory()) throw new UserError(`${label}: ${shownPath(cwd, dir)} is a file, not a folder: choose another output`);
      if (dir !== path.dirname(abs)) {
        try {
          fs.accessSync(dir, fs.constants.W_OK);
        } catch (e) {
          throw refused(dir, e);
        }
        return;
      }
      const probe = path.join(dir, `.${path.basename(abs)}.${process.pid}.probe`);
      try {
        fs.closeSync(fs.openSync(probe, "wx"));
      } catch (e) {
        throw refused(dir, e);
      }
      fs.rmSync(probe, { force: true });
      return;
    }
    if (path.dirname(dir) === dir) return;
  }
}

/** stat (following links), null when nothing is there; other failures (a loop, no permission) are one line. */
function statOf(abs: string, label: string): fs.Stats | null {
  try {
    return fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new UserError(`${label}: ${describeFsError(e) ?? (e as Error).message}`);
  }
}

function realInputs(cwd: string, inputs: readonly OutputInput[]): RealInput[] {
  return inputs.flatMap((i) => {
    const abs = path.resolve(cwd, i.path);
    try {
      return [{ as: i.as, real: fs.realpathSync(abs), st: fs.statSync(abs) }];
    } catch {
      return []; // not there: nothing to overwrite
    }
  });
}

/** realpath of what exists of the path, the rest appended. */
function realish(abs: string): string {
  try {
    return fs.realpathSync(abs);
  } catch {
    const up = path.dirname(abs);
    return up === abs ? abs : path.join(realish(up), path.basename(abs));
  }
}

/** What an existing file holds, by its first bytes, else by its name; and those bytes. */
function existingKind(abs: string, size: number): { kind: FileKind | "other" | "empty"; head: Buffer } {
  if (size === 0) return { kind: "empty", head: Buffer.alloc(0) };
  let head: Buffer;
  try {
    head = readFileAt(abs, HEAD_BYTES, 0);
  } catch {
    return { kind: "other", head: Buffer.alloc(0) }; // unreadable: not known to be ours
  }
  return { kind: kindOf(abs, head), head };
}

function kindOf(abs: string, head: Buffer): FileKind | "other" {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return "npz";
  const text = head
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (/^<!doctype html|^<html/i.test(text)) return "html";
  if (path.extname(abs).toLowerCase() !== PIPELINE_EXTENSION && /^[{[]/.test(text)) return "json";
  return EXTENSIONS[path.extname(abs).toLowerCase()] ?? "other";
}
