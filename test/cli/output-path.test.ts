// The one check of -o (src/cli/output-path.ts), through the CLI of every command that
// has one: an output that is the command's own input, a run directory's own file or an
// existing file of another kind is refused with one line and exit 2, and the file is
// left byte for byte; an empty -o is a usage error; an output that cannot be a file is
// one line naming -o before any work; adainfc's own earlier output of the same kind is
// replaced, and a file of that kind it did not write (formats/own-output.ts) is refused
// unless --force.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { npyArray, zipBytes } from "../data/helpers.js";
import { cli, ROOT } from "../helpers.js";
import { fakeSweep, storyProject } from "../report/fixtures.js";
import { tinyProject, writeSet } from "../train/fixtures.js";

const FAST_FIT = ["--fit-samples", "20", "--dims", "2", "--components", "2"];

/** An npz as numpy writes it (no adainfc archive comment): a user's own data. */
function foreignNpz(file: string): void {
  const image = npyArray("|u1", [2, 4, 4, 3], new Uint8Array(2 * 4 * 4 * 3).fill(7));
  fs.writeFileSync(file, zipBytes([{ name: "image.npy", data: image }]));
}

/** Runs the command and checks it was refused with exactly this line, exit `code`, and that `kept` did not change. */
async function refused(dir: string, args: string[], line: string | RegExp, kept: string[], code = 2): Promise<void> {
  const before = kept.map((f) => fs.readFileSync(path.join(dir, f)));
  const r = await cli(args, dir);
  expect(r.code, args.join(" ")).toBe(code);
  expect(r.out).toBe("");
  if (typeof line === "string") expect(r.err).toBe(`${line}\n`);
  else {
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err.trimEnd()).toMatch(line);
  }
  kept.forEach((f, i) => expect(fs.readFileSync(path.join(dir, f)).equals(before[i]!), f).toBe(true));
}

describe("generate -o", () => {
  const dir = tinyProject();
  writeSet(path.join(dir, "ok.npz"), 40, false, 7);
  fs.symlinkSync("ok.npz", path.join(dir, "link.npz"));
  fs.mkdirSync(path.join(dir, "imgs"));
  fs.writeFileSync(path.join(dir, "notes.json"), '{"keep": true}\n');
  fs.writeFileSync(path.join(dir, "afile"), "keep me");

  it("its own --from, directly or through a symbolic link: exit 2, the source unchanged", async () => {
    const from = ["generate", "--from", "ok.npz", "--count", "10"];
    await refused(dir, [...from, "-o", "ok.npz"], "error: -o ok.npz is this command's input (--from ok.npz): choose another output", ["ok.npz"]);
    await refused(dir, [...from, "-o", "link.npz"], "error: -o link.npz is this command's input (--from ok.npz): choose another output", ["ok.npz"]);
    await refused(dir, [...from, "-o", "imgs/../ok.npz"], /^error: -o imgs\/\.\.\/ok\.npz is this command's input/, ["ok.npz"]);
  });

  it("an existing file of another kind (its sidecar too): exit 2, unchanged", async () => {
    const args = ["generate", "--from", "ok.npz", "--count", "10"];
    await refused(
      dir,
      [...args, "-o", "notes.json"],
      "error: -o notes.json already holds a JSON file, and generate writes an npz (zip) file: choose another output, or pass --force to replace it",
      ["notes.json"],
    );
    await refused(dir, [...args, "-o", "tiny.adainf"], /^error: -o tiny\.adainf already holds a \.adainf pipeline file/, ["tiny.adainf"]);
    // a text file is not an npz (nor a PNG) for its name: its first bytes tell
    fs.writeFileSync(path.join(dir, "notes.npz"), "not a zip\n");
    await refused(
      dir,
      [...args, "-o", "notes.npz"],
      "error: -o notes.npz already holds a file of another kind, and generate writes an npz (zip) file: choose another output, or pass --force to replace it",
      ["notes.npz"],
    );
  });

  it("a user's own npz, or JSON where the sidecar goes: exit 2, unchanged; --force replaces them", async () => {
    foreignNpz(path.join(dir, "mine.npz"));
    const args = ["generate", "--from", "ok.npz", "--count", "10", ...FAST_FIT];
    await refused(
      dir,
      [...args, "-o", "mine.npz"],
      "error: -o mine.npz already holds an npz (zip) file that adainfc did not write: choose another output, or pass --force to replace it",
      ["mine.npz"],
    );
    fs.writeFileSync(path.join(dir, "g.npz.json"), '{"name": "keep"}\n');
    await refused(
      dir,
      [...args, "-o", "g.npz"],
      "error: g.npz.json (written beside -o g.npz) already holds a JSON file that adainfc did not write: choose another output, or pass --force to replace it",
      ["g.npz.json"],
    );
    expect(fs.existsSync(path.join(dir, "g.npz"))).toBe(false);
    const forced = await cli([...args, "-o", "mine.npz", "--force"], dir);
    expect(forced.code, forced.err).toBe(0);
    // what generate wrote is its own: replaced again without --force
    expect((await cli([...args, "-o", "mine.npz"], dir)).code).toBe(0);
    // a set generated before npz files carried the comment is known by its sidecar
    foreignNpz(path.join(dir, "mine.npz"));
    expect((await cli([...args, "-o", "mine.npz"], dir)).code).toBe(0);
  });

  it("the audit's repros: a .docx (any zip) at -o, a plain text file at the sidecar path: exit 2, unchanged", async () => {
    // A Word document is a zip of XML members: not an npz, and not one adainfc wrote.
    fs.writeFileSync(path.join(dir, "thesis.docx"), zipBytes([{ name: "word/document.xml", data: Buffer.from("<doc>my thesis</doc>") }]));
    const args = ["generate", "--from", "ok.npz", "--count", "10", ...FAST_FIT];
    await refused(
      dir,
      [...args, "-o", "thesis.docx"],
      "error: -o thesis.docx already holds an npz (zip) file that adainfc did not write: choose another output, or pass --force to replace it",
      ["thesis.docx"],
    );
    fs.mkdirSync(path.join(dir, "sc"));
    fs.writeFileSync(path.join(dir, "sc", "h.npz.json"), "plain notes\n");
    await refused(
      dir,
      [...args, "-o", "sc/h.npz"],
      "error: sc/h.npz.json (written beside -o sc/h.npz) already holds a JSON file that adainfc did not write: choose another output, or pass --force to replace it",
      ["sc/h.npz.json"],
    );
    expect(fs.existsSync(path.join(dir, "sc", "h.npz"))).toBe(false);
  });

  it("a folder where the sidecar goes: the hint is to move it or choose another -o, not a path inside the npz", async () => {
    fs.mkdirSync(path.join(dir, "sc2", "g.npz.json"), { recursive: true });
    await refused(
      dir,
      ["generate", "--from", "ok.npz", "--count", "10", "-o", "sc2/g.npz"],
      "error: sc2/g.npz.json (written beside -o sc2/g.npz) is a folder, not a file: move that folder away, or choose another -o",
      ["ok.npz"],
      1,
    );
    expect(fs.readdirSync(path.join(dir, "sc2"))).toEqual(["g.npz.json"]);
  });

  it("a folder, a path under a file, an empty -o: one line before the source is read", async () => {
    const args = ["generate", "--from", "ok.npz", "--count", "10"];
    await refused(dir, [...args, "-o", "imgs"], "error: -o imgs is a folder, not a file: give a file path (e.g. -o imgs/gen.npz)", ["ok.npz"], 1);
    await refused(dir, [...args, "-o", "afile/gen.npz"], "error: -o afile/gen.npz: afile is a file, not a folder: choose another output", ["afile"], 1);
    await refused(dir, [...args, "-o", ""], "error: -o '' is empty: give a file path (e.g. -o gen.npz)", ["ok.npz"]);
    expect(fs.readdirSync(path.join(dir, "imgs"))).toEqual([]);
  });

  it("an earlier generated set is replaced (same kind)", async () => {
    for (const count of ["10", "12"]) {
      const r = await cli(["generate", "--from", "ok.npz", "--count", count, "-o", "gen2.npz", ...FAST_FIT], dir);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^wrote gen2\\.npz: ${count} images`));
    }
  });
});

describe("data convert -o", () => {
  const dir = tinyProject();
  fs.mkdirSync(path.join(dir, "imgs"));
  fs.mkdirSync(path.join(dir, "out"));

  it("a folder or an empty -o: refused before any image is read; one of its images: exit 2, unchanged", async () => {
    const sharp = (await import("sharp")).default;
    await sharp(Buffer.alloc(4 * 4 * 3, 90), { raw: { width: 4, height: 4, channels: 3 } })
      .png()
      .toFile(path.join(dir, "imgs", "0.png"));
    await refused(dir, ["data", "convert", "imgs", "-o", "out"], "error: -o out is a folder, not a file: give a file path (e.g. -o out/gen.npz)", [], 1);
    await refused(dir, ["data", "convert", "imgs", "-o", "imgs"], "error: -o imgs is this command's input (the image folder imgs): choose another output", []);
    await refused(dir, ["data", "convert", "imgs", "-o", ""], "error: -o '' is empty: give a file path (e.g. -o gen.npz)", []);
    await refused(dir, ["data", "convert", "imgs", "-o", "imgs/0.png"], /^error: -o imgs\/0\.png already holds a PNG image, and data convert writes/, [
      "imgs/0.png",
    ]);
    expect(fs.readdirSync(path.join(dir, "out"))).toEqual([]);
    for (let i = 0; i < 2; i++) expect((await cli(["data", "convert", "imgs", "-o", "set.npz"], dir)).code).toBe(0);
    foreignNpz(path.join(dir, "real.npz"));
    await refused(dir, ["data", "convert", "imgs", "-o", "real.npz"], /^error: -o real\.npz already holds an npz \(zip\) file that adainfc did not write/, [
      "real.npz",
    ]);
    // the audit's repro: a Word document (a zip) is not replaced
    fs.writeFileSync(path.join(dir, "thesis.docx"), zipBytes([{ name: "word/document.xml", data: Buffer.from("<doc>my thesis</doc>") }]));
    await refused(
      dir,
      ["data", "convert", "imgs", "-o", "thesis.docx"],
      /^error: -o thesis\.docx already holds an npz \(zip\) file that adainfc did not write/,
      ["thesis.docx"],
    );
  });
});

describe("compile -o", () => {
  const dir = tinyProject({ steps: 1, checkpointEvery: null });

  it("its own pipeline file, for every target, or a data file it names: exit 2, unchanged", async () => {
    const input = "error: -o tiny.adainf is this command's input (the pipeline file tiny.adainf): choose another output";
    await refused(dir, ["compile", "tiny.adainf", "-o", "tiny.adainf"], input, ["tiny.adainf"]);
    await refused(dir, ["compile", "tiny.adainf", "--target", "ts", "-o", "tiny.adainf"], input, ["tiny.adainf"]);
    await refused(dir, ["compile", "tiny.adainf", "--target", "solo-learn", "-o", "tiny.adainf"], input, ["tiny.adainf"]);
    await refused(dir, ["compile", "tiny.adainf", "-o", "real.npz"], /^error: -o real\.npz is this command's input \(data source 'real' of tiny: real\.npz\)/, [
      "real.npz",
    ]);
    await refused(dir, ["compile", "tiny.adainf", "-o", ""], "error: -o '' is empty: give a file path (e.g. -o ir.json)", []);
  });

  it("a run directory's own file is refused; a lone ir.json written by compile is not a run", async () => {
    const run = await cli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir);
    expect(run.code, run.err).toBe(0);
    await refused(
      dir,
      ["compile", "tiny.adainf", "-o", "runs/tiny/ir.json"],
      "error: -o runs/tiny/ir.json is a run directory's own file (ir.json of runs/tiny): choose another output",
      ["runs/tiny/ir.json", "runs/tiny/done.json"],
    );
    await refused(
      dir,
      ["compile", "tiny.adainf", "--target", "ts", "-o", "runs/tiny/checkpoints"],
      /^error: -o runs\/tiny\/checkpoints is a run directory's own file/,
      ["runs/tiny/done.json"],
    );
    // diverged.json is one of the run's files too (runPaths): refused even with --force
    fs.writeFileSync(path.join(dir, "runs/tiny/diverged.json"), '{"step": 3, "loss": "NaN", "lr": 1, "checkpoint": null, "at": ""}\n');
    await refused(
      dir,
      ["compile", "tiny.adainf", "--emit", "ir", "-o", "runs/tiny/diverged.json", "--force"],
      "error: -o runs/tiny/diverged.json is a run directory's own file (diverged.json of runs/tiny): choose another output",
      ["runs/tiny/diverged.json"],
    );
    fs.rmSync(path.join(dir, "runs/tiny/diverged.json"));
    for (let i = 0; i < 2; i++) {
      const r = await cli(["compile", "tiny.adainf", "-o", "out/ir.json"], dir);
      expect(r.code, r.err).toBe(0);
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, "out/ir.json"), "utf8"))).toMatchObject({ name: "tiny" });
    const spans = await cli(["compile", "tiny.adainf", "--spans", "-o", "out/ir.json"], dir);
    expect(spans.code, spans.err).toBe(0);
    expect((await cli(["compile", "tiny.adainf", "-o", "out/ir.json"], dir)).code).toBe(0);
  });

  it("a JSON file compile did not write (package.json): exit 2, unchanged; --force replaces it", async () => {
    fs.writeFileSync(path.join(dir, "package.json"), '{"name": "mine", "version": "1.0.0"}\n');
    await refused(
      dir,
      ["compile", "tiny.adainf", "-o", "package.json"],
      "error: -o package.json already holds a JSON file that adainfc did not write: choose another output, or pass --force to replace it",
      ["package.json"],
    );
    const forced = await cli(["compile", "tiny.adainf", "-o", "package.json", "--force"], dir);
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))).toMatchObject({ name: "tiny" });
  });
});

describe("report -o", () => {
  const dir = storyProject();
  const { irs } = fakeSweep(dir);
  const run = irs[0]!.output.dir;

  it("a run's done.json or checkpoints, or an empty -o: exit 2, the run still reads as finished", async () => {
    await refused(
      dir,
      ["report", run, "-o", `${run}/done.json`, "--no-preview"],
      `error: -o ${run}/done.json is a run directory's own file (done.json of ${run}): choose another output`,
      [`${run}/done.json`],
    );
    await refused(dir, ["report", "runs/story", "-o", `${run}/metrics.jsonl`, "--no-preview"], /is a run directory's own file \(metrics\.jsonl of /, [
      `${run}/metrics.jsonl`,
    ]);
    await refused(dir, ["report", run, "-o", "", "--no-preview"], "error: -o '' is empty: give a file path (e.g. -o report.html)", []);
    await refused(
      dir,
      ["report", run, "-o", "real.npz", "--no-preview"],
      /^error: -o real\.npz already holds an npz \(zip\) file, and report writes an HTML page/,
      ["real.npz"],
    );
    const ok = await cli(["report", run, "--no-preview"], dir);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/: 1 run \(1 finished\)/);
  });

  it("an earlier report is replaced (same kind)", async () => {
    for (let i = 0; i < 2; i++) expect((await cli(["report", "runs/story", "-o", "r.html", "--no-preview"], dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "r.html"), "utf8")).toMatch(/^<!doctype html>/);
    // a report written before pages carried the generator <meta> is known by its footer
    const older = fs
      .readFileSync(path.join(dir, "r.html"), "utf8")
      .replace('<meta name="generator" content="adainfc report">', "")
      .replace("<footer>Made by", `${"<!-- filler -->".repeat(300)}<footer>Made by`);
    fs.writeFileSync(path.join(dir, "old.html"), older);
    expect((await cli(["report", "runs/story", "-o", "old.html", "--no-preview"], dir)).code).toBe(0);
    fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>my page</title>\n");
    await refused(
      dir,
      ["report", "runs/story", "-o", "index.html", "--no-preview"],
      "error: -o index.html already holds an HTML page that adainfc did not write: choose another output, or pass --force to replace it",
      ["index.html"],
    );
    expect((await cli(["report", "runs/story", "-o", "index.html", "--no-preview", "--force"], dir)).code).toBe(0);
  });

  it("a file named .html that is not a page (a pipeline copied to x.html) is refused and kept", async () => {
    fs.copyFileSync(path.join(dir, "story.adainf"), path.join(dir, "tiny2.html"));
    await refused(
      dir,
      ["report", "runs/story", "-o", "tiny2.html", "--no-preview"],
      "error: -o tiny2.html already holds an HTML page that adainfc did not write: choose another output, or pass --force to replace it",
      ["tiny2.html"],
    );
    expect(fs.readFileSync(path.join(dir, "tiny2.html"), "utf8")).toBe(fs.readFileSync(path.join(dir, "story.adainf"), "utf8"));
  });

  it.skipIf(!fs.existsSync("/proc/self"))("an output where no file can be made names the user's path, not a temporary file", async () => {
    const r = await cli(["report", run, "-o", "/proc/x.html", "--no-preview"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: -o /proc/x.html: /proc does not take new files (ENOENT): choose another output\n");
  });
});

describe("preview -o", () => {
  const dir = tinyProject();
  fs.copyFileSync(path.join(ROOT, "pipelines/quickstart.adainf"), path.join(dir, "other.adainf"));

  it("its own pipeline, another pipeline file or a data file: exit 2, unchanged", async () => {
    await refused(
      dir,
      ["preview", "tiny.adainf", "-o", "tiny.adainf"],
      "error: -o tiny.adainf is this command's input (the pipeline file tiny.adainf): choose another output",
      ["tiny.adainf"],
    );
    await refused(
      dir,
      ["preview", "tiny.adainf", "-o", "other.adainf"],
      "error: -o other.adainf already holds a .adainf pipeline file, and preview writes a PNG image: choose another output, or pass --force to replace it",
      ["other.adainf"],
    );
    await refused(dir, ["preview", "tiny.adainf", "-o", "gen.npz"], /^error: -o gen\.npz is this command's input \(data source 'generated'/, ["gen.npz"]);
  });

  it("an earlier preview is replaced (same kind); a PNG it did not write only with --force", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await cli(["preview", "tiny.adainf", "-o", "views.png", "--n", "1"], dir);
      expect(r.code, r.err).toBe(0);
    }
    const { PNG } = await import("pngjs");
    expect(PNG.sync.read(fs.readFileSync(path.join(dir, "views.png"))).width).toBeGreaterThan(0); // the stamped chunk's CRC is right
    const photo = new PNG({ width: 2, height: 2 });
    fs.writeFileSync(path.join(dir, "photo.png"), PNG.sync.write(photo));
    await refused(
      dir,
      ["preview", "tiny.adainf", "-o", "photo.png", "--n", "1"],
      /^error: -o photo\.png already holds a PNG image that adainfc did not write/,
      ["photo.png"],
    );
  });
});

describe("import -o", () => {
  it("the config or the augmentations it reads, even with --force: exit 2; another kind only with --force", async () => {
    const dir = tinyProject();
    const solo = await cli(["compile", "pipelines/simclr_none.adainf", "--target", "solo-learn", "-o", path.join(dir, "solo")], ROOT);
    expect(solo.code, solo.err).toBe(0);
    const config = fs.readdirSync(path.join(dir, "solo")).find((f) => f.endsWith(".yaml"))!;
    const aug = fs.readdirSync(path.join(dir, "solo/augmentations"))[0]!;
    const cfg = `solo/${config}`;
    await refused(
      dir,
      ["import", "solo-learn", cfg, "-o", cfg, "--force"],
      `error: -o ${cfg} is this command's input (the config ${cfg}): choose another output`,
      [cfg],
    );
    await refused(
      dir,
      ["import", "solo-learn", cfg, "-o", `solo/augmentations/${aug}`, "--force"],
      `error: -o solo/augmentations/${aug} is this command's input (the augmentations solo/augmentations/${aug}): choose another output`,
      [`solo/augmentations/${aug}`],
    );
    await refused(
      dir,
      ["import", "solo-learn", cfg, "-o", "real.npz"],
      "error: -o real.npz already holds an npz (zip) file, and import writes a .adainf pipeline file: choose another output, or pass --force to replace it",
      ["real.npz"],
    );
    const ok = await cli(["import", "solo-learn", cfg, "-o", "back.adainf"], dir);
    expect(ok.code, ok.err).toBe(0);
  });
});
