// Seeded fuzz of the front end and the npz reader. Mutated pipeline files (hostile
// snippets included: deep nesting, bad escapes, a BOM, huge names, control characters;
// and tokens that still parse, out-of-range values, names and paths, to reach the
// resolver) must compile, lint and format without throwing, with diagnostics for every
// failure and never E040 (an internal error; a file that declares no pipeline may compile
// to nothing, without diagnostics, as an empty one does); formatting gives text that parses,
// is its own format and keeps the IR, the diagnostic codes and the comments' order; mutated npz headers and zip directories must give a
// result or a DataError (the one-line user error), in `inspectNpz`, `NpzReader` and
// `check`. Every case runs under a time limit (no hangs). CI runs 2,000 + 300 cases;
// ADAINF_FUZZ_PIPELINES / ADAINF_FUZZ_NPZ raise the counts (e.g. 10000 and 1000).
import fs, { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFileSync } from "../src/driver.js";
import { lintWithSizes } from "../src/lint/engine.js";
import { formatText } from "../src/syntax/format.js";
import { parseSource } from "../src/syntax/parse.js";
import { DataError, inspectNpz, NpzReader } from "../src/runtime/data/index.js";
import { Rng } from "../src/runtime/rng.js";
import { npy, zipBytes } from "./data/helpers.js";
import { project, ROOT } from "./helpers.js";

const PIPELINE_CASES = Number(process.env["ADAINF_FUZZ_PIPELINES"] ?? 2000);
const NPZ_CASES = Number(process.env["ADAINF_FUZZ_NPZ"] ?? 300);
/** The most one case may take (ms): far above a normal case, far below a hang. */
const CASE_LIMIT_MS = 3000;

const sources = readdirSync(join(ROOT, "pipelines"))
  .filter((f) => f.endsWith(".adainf"))
  .map((f) => readFileSync(join(ROOT, "pipelines", f), "utf8"));

const SNIPPETS = [
  "{",
  "}",
  "(",
  ")",
  "=",
  "..",
  "x",
  "*",
  ",",
  ";",
  '"',
  "-",
  "1e",
  "0.5",
  "with",
  "; with ",
  "; with {}",
  "use",
  "steps",
  "epochs",
  "pipeline",
  "from",
  "/*",
  "//",
  "\n",
  "__",
  "é",
  "\u0000",
  "99999999999999999999",
  "-0",
  "augment",
  "view",
];

/** Inputs that once ended as internal errors or could hang (issue 15), made at random sizes. */
function hostile(rng: Rng): string {
  const n = 1 + rng.int(3000);
  switch (rng.int(9)) {
    case 0:
      return "(".repeat(n) + "1" + ")".repeat(rng.int(n + 1));
    case 1:
      return "[".repeat(n) + "f(".repeat(rng.int(50)) + "{ a ".repeat(rng.int(50));
    case 2:
      return `"\\u{${rng.int(0x7fffffff).toString(16)}}"`;
    case 3:
      return `"\\u{D${(8 + rng.int(8)).toString(16)}00}"`;
    case 4:
      return "\uFEFF";
    case 5:
      return "a".repeat(1 + rng.int(200_000));
    case 6:
      return String.fromCharCode(rng.int(32)) + "\u001b[2J";
    case 7:
      return "x".repeat(rng.int(10)) + "-".repeat(rng.int(10)) + "9".repeat(rng.int(400));
    default:
      return "a with { ".repeat(rng.int(100));
  }
}

/**
 * Cases the fuzz once found, checked first: files declaring no pipeline (they compile to
 * nothing, without diagnostics, as an empty file does: `adainfc check` says "no problems"),
 * `with` after ';', comments fmt moved.
 */
const FIXED_CASES = [
  "",
  "\uFEFF\n",
  "// only a comment\n",
  "\uFEFF/* c */\n",
  'pipeline p from simclr {\n  data { real = cifar10("d") }\n  train { steps = 3; with { } }\n}\n',
  'pipeline p from simclr {\n  data {\n    eval = // first\n      cifar10("d", split = test) /* second */\n  }\n}\n',
  'pipeline p from simclr {\n  data {\n    generated = npz(\n      "gen.npz",\n      // count\n      size = 1_000,\n      fid = 1.94, // paper\n    )\n  }\n}\n',
];

/** Values a setting rarely takes: out of range, huge, tiny, wrong unit. */
const VALUES = ["0", "-1", "1e9", "0.5", "1_000_000_000_000", "1e-30", "1e400", "3 steps", "0 steps", "-3 epochs"];
/** Names that mean something somewhere else. */
const NAMES = ["npz", "simclr", "byol", "resnet18", "convnet", "lars", "real", "generated", "eval", "none", "true", "rgb", "view", "train"];

/** Replaces one match of `re` in `t` (at random) with `by(match)`. */
function replaceOne(t: string, re: RegExp, rng: Rng, by: (m: string) => string): string {
  const all = [...t.matchAll(re)];
  if (all.length === 0) return t;
  const m = all[rng.int(all.length)]!;
  return t.slice(0, m.index) + by(m[0]) + t.slice(m.index! + m[0].length);
}

function mutate(text: string, rng: Rng): string {
  let t = text;
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const at = rng.int(t.length + 1);
    switch (rng.int(7)) {
      case 5: // a token that still parses: a number, a name or a path changed, meant to reach the resolver
        switch (rng.int(3)) {
          case 0:
            t = replaceOne(t, /\b\d[\d_.e]*\b( steps| epochs)?/g, rng, () => VALUES[rng.int(VALUES.length)]!);
            break;
          case 1:
            t = replaceOne(t, /\b[a-z_][a-z0-9_]*\b/g, rng, () => NAMES[rng.int(NAMES.length)]!);
            break;
          default:
            t = replaceOne(t, /"[^"\n]*"/g, rng, () => ['""', '"/nonexistent/x.npz"', '"../../etc"', '"pipelines/quickstart.adainf"'][rng.int(4)]!);
        }
        break;
      case 6: {
        // one setting's line copied over another's
        const settings = [...t.matchAll(/\b[a-z_]+ = [^\n]+/g)].map((m) => m[0]);
        if (settings.length) t = replaceOne(t, /\b[a-z_]+ = [^\n]+/g, rng, () => settings[rng.int(settings.length)]!);
        break;
      }
      case 0: // delete a run
        t = t.slice(0, at) + t.slice(at + 1 + rng.int(8));
        break;
      case 1: // insert a snippet
        t = t.slice(0, at) + SNIPPETS[rng.int(SNIPPETS.length)]! + t.slice(at);
        break;
      case 2: {
        // duplicate a slice elsewhere
        const from = rng.int(t.length);
        t = t.slice(0, at) + t.slice(from, from + rng.int(40)) + t.slice(at);
        break;
      }
      case 3: // a hostile input, rarer than the others
        if (rng.int(3) === 0) t = t.slice(0, rng.int(4) === 0 ? 0 : at) + hostile(rng) + t.slice(at);
        break;
      default: {
        // change a digit or a letter
        const ch = t[at];
        if (ch && /[0-9]/.test(ch)) t = t.slice(0, at) + String(rng.int(10)) + t.slice(at + 1);
        else if (ch) t = t.slice(0, at) + String.fromCharCode(97 + rng.int(26)) + t.slice(at + 1);
      }
    }
  }
  return t;
}

/** A file's diagnostic codes, sorted: what formatting must keep (their places move). */
const codesOf = (ds: readonly { code: string }[]): string[] => ds.map((d) => d.code).sort();

/** A file's comments in order, their lines' trailing blanks dropped (fmt drops them). */
const commentsOf = (text: string): string[] =>
  parseSource(text, "fuzz.adainf").ast.comments.map((c) =>
    c.text
      .split(/\r\n|\r|\n/)
      .map((l) => l.trimEnd())
      .join("\n"),
  );

/** Runs `f`, failing when it takes longer than CASE_LIMIT_MS. */
function timed<T>(what: string, f: () => T): T {
  const t0 = performance.now();
  const r = f();
  const ms = performance.now() - t0;
  expect(ms, `${what} took ${ms.toFixed(0)} ms`).toBeLessThan(CASE_LIMIT_MS);
  return r;
}

describe("fuzz", () => {
  it(`never crashes and always explains a failure (${PIPELINE_CASES} mutated pipelines)`, { timeout: 60_000 + PIPELINE_CASES * 200 }, () => {
    const rng = new Rng(20241128);
    const dir = project({});
    const overlay = new Map<string, string>();
    const path = join(dir, "fuzz.adainf");
    let failed = 0;
    /** One case's checks; whether the file has errors. */
    const check = (text: string, i: number | string): boolean => {
      overlay.set(path, text);
      const out = timed(`case ${i}`, () => compileFileSync("fuzz.adainf", { cwd: dir, overlay }));
      if (out.pipelines.length === 0) {
        // No pipeline and nothing wrong only where the file declares none (empty, a BOM,
        // comments, recipes): `adainfc check` says "no problems" for those, as for an empty file.
        if (out.diagnostics.length === 0) {
          const declared = parseSource(text, "fuzz.adainf").ast.items.some((d) => d.kind === "decl" && d.declKind === "pipeline");
          expect(declared, `no diagnostics for:\n${text.slice(0, 2000)}`).toBe(false);
        }
      }
      for (const d of out.diagnostics) {
        expect(d.code, `case ${i}: ${d.message.slice(0, 300)}`).not.toBe("E040");
        expect(d.message.length).toBeGreaterThan(0);
        if (d.span) {
          expect(d.span.line).toBeGreaterThanOrEqual(1);
          expect(d.span.start).toBeLessThanOrEqual(d.span.end);
        }
      }
      for (const p of out.pipelines) timed(`lint of case ${i}`, () => lintWithSizes({ ir: p.ir, spans: p.spans }, {}));
      // The formatter either refuses (syntax errors) or produces a fixed point that
      // means the same: the formatted text parses (formatting it again changes nothing and
      // refuses nothing) and compiles to the same IR with the same diagnostic codes, also
      // where the file's only errors come after parsing (resolve errors).
      const f = timed(`format of case ${i}`, () => formatText(text, "fuzz.adainf"));
      if (f.diagnostics.length === 0) {
        const twice = formatText(f.text, "fuzz.adainf");
        expect(
          twice.diagnostics.map((d) => d.message),
          `case ${i}: the formatted text does not parse:\n${f.text.slice(0, 2000)}`,
        ).toEqual([]);
        expect(twice.text, `case ${i}: formatting twice differs from once`).toBe(f.text);
        expect(commentsOf(f.text), `case ${i}: formatting moved comments out of order:\n${text.slice(0, 2000)}`).toEqual(commentsOf(text));
        const again = compileFileSync("fuzz.adainf", { cwd: dir, overlay: new Map([[path, f.text]]) });
        expect(codesOf(again.diagnostics), `case ${i}: formatting changed the diagnostics of:\n${text.slice(0, 2000)}`).toEqual(codesOf(out.diagnostics));
        expect(JSON.stringify(again.pipelines.map((p) => p.ir)), `case ${i}: formatting changed the IR`).toBe(JSON.stringify(out.pipelines.map((p) => p.ir)));
      }
      return out.diagnostics.length > 0;
    };
    for (const [i, text] of FIXED_CASES.entries()) check(text, `fixed ${i}`);
    for (let i = 0; i < PIPELINE_CASES; i++) if (check(mutate(sources[i % sources.length]!, rng), i)) failed++;
    // The mutations must actually break files most of the time, or the test is weak.
    expect(failed).toBeGreaterThan(PIPELINE_CASES / 2);
    console.log(`fuzz: ${PIPELINE_CASES} mutated pipelines, ${failed} with errors, 0 internal errors, 0 over ${CASE_LIMIT_MS} ms`);
  });
});

// ---------------------------------------------------------------- npz

/** A small valid npz's members: images (n, h, w[, c]) uint8 and labels int64. */
function npzMembers(rng: Rng): { image: string; imageData: Uint8Array; labels: string | null; labelData: Uint8Array } {
  const n = 1 + rng.int(4);
  const shape = rng.int(3) === 0 ? [n, 4, 4] : [n, 4, 4, rng.int(2) === 0 ? 1 : 3];
  const size = shape.reduce((a, b) => a * b, 1);
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(", ")}), }`;
  const labels = rng.int(3) === 0 ? null : `{'descr': '<i8', 'fortran_order': False, 'shape': (${n},), }`;
  return { image: dict, imageData: Uint8Array.from({ length: size }, () => rng.int(256)), labels, labelData: new Uint8Array(8 * n) };
}

const HEADER_EDITS: Array<(d: string, rng: Rng) => string> = [
  (d, rng) => d.replace(/\((\d+)/, () => `(${[0, -1, 2 ** 31, 2 ** 53, 1e300, rng.int(100)][rng.int(6)]}`),
  (d, rng) => d.replace(/, (\d+)\)/, () => `, ${[0, -3, 7, 99999999, rng.int(10)][rng.int(5)]})`),
  (d) => d.replace(/'shape': \([^)]*\)/, "'shape': ()"),
  (d, rng) => d.replace(/'shape': \(/, `'shape': (${"1, ".repeat(rng.int(40))}`),
  (d, rng) => d.replace("|u1", ["<f4", "<f8", ">i2", "|b1", "<c8", "|O", "<U3", "|V8", "x"][rng.int(9)]!),
  (d) => d.replace("False", "True"),
  (d) => d.replace("'descr'", "'desc'"),
  (d, rng) => d.slice(0, rng.int(d.length)),
  (d, rng) => d.slice(0, rng.int(d.length)) + "(".repeat(rng.int(5000)) + d.slice(rng.int(d.length)),
  (d, rng) => d + "x".repeat(rng.int(60000)), // npy version 1 holds at most 65535 header bytes
];

function mutateNpz(rng: Rng): Buffer {
  const m = npzMembers(rng);
  let image = m.image;
  let labels = m.labels;
  if (rng.int(4) !== 0) image = HEADER_EDITS[rng.int(HEADER_EDITS.length)]!(image, rng);
  if (labels && rng.int(4) === 0) labels = HEADER_EDITS[rng.int(HEADER_EDITS.length)]!(labels, rng);
  const members = [{ name: "image.npy", data: npy(image, m.imageData, ([1, 2, 3] as const)[rng.int(3)]), deflate: rng.int(3) === 0 }];
  if (labels) members.push({ name: "label.npy", data: npy(labels, m.labelData), deflate: rng.int(3) === 0 });
  const zip = zipBytes(members, rng.int(4) === 0);
  // Then damage the archive itself: flip bytes (often in the central directory or end
  // record, at the end), truncate, or append junk.
  const flips = rng.int(4);
  for (let i = 0; i < flips; i++) {
    const at = rng.int(2) === 0 ? zip.length - 1 - rng.int(Math.min(zip.length, 120)) : rng.int(zip.length);
    zip[at] = rng.int(2) === 0 ? rng.int(256) : zip[at]! ^ (1 << rng.int(8));
  }
  switch (rng.int(6)) {
    case 0:
      return zip.subarray(0, rng.int(zip.length));
    case 1:
      return Buffer.concat([zip, Buffer.alloc(rng.int(100), 0x50)]);
    default:
      return zip;
  }
}

describe("fuzz: npz", () => {
  const dir = project({});
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`mutated npz headers and zip directories give a result or a DataError (${NPZ_CASES} archives)`, { timeout: 60_000 + NPZ_CASES * 500 }, async () => {
    const rng = new Rng(20261129);
    const file = join(dir, "fuzz.npz");
    const pipeline = join(dir, "npz.adainf");
    fs.writeFileSync(pipeline, `pipeline p from simclr {\n  data {\n    real = npz("fuzz.npz", origin = real, classes = 2)\n  }\n}\n`);
    let refused = 0;
    for (let i = 0; i < NPZ_CASES; i++) {
      fs.writeFileSync(file, mutateNpz(rng));
      const user = (e: unknown): void => {
        expect(e, `case ${i}: ${e instanceof Error ? e.stack : String(e)}`).toBeInstanceOf(DataError);
      };
      let ok = true;
      timed(`inspectNpz of case ${i}`, () => {
        try {
          const info = inspectNpz(file);
          expect(info.count).toBeGreaterThan(0);
        } catch (e) {
          user(e);
          ok = false;
        }
      });
      const t0 = performance.now();
      try {
        const r = await NpzReader.open(file, { cacheDir: join(dir, "cache") });
        try {
          if (r.count > 0) r.readImages([0, r.count - 1]);
        } finally {
          r.close();
        }
      } catch (e) {
        user(e);
        ok = false;
      }
      expect(performance.now() - t0, `NpzReader of case ${i}`).toBeLessThan(CASE_LIMIT_MS);
      const out = timed(`check of case ${i}`, () => compileFileSync("npz.adainf", { cwd: dir }));
      for (const d of out.diagnostics) expect(d.code, `case ${i}: ${d.message}`).not.toBe("E040");
      if (!ok) refused++;
    }
    // Most archives must be damaged, or the test is weak; some must still be readable.
    expect(refused).toBeGreaterThan(NPZ_CASES / 2);
    expect(refused).toBeLessThan(NPZ_CASES);
    console.log(`fuzz: ${NPZ_CASES} mutated npz archives, ${refused} refused with a DataError, 0 internal errors, 0 over ${CASE_LIMIT_MS} ms`);
  });
});
