// Folder walking and duplicate paths (src/util/adainf-files.ts, src/cli/files.ts): a
// symlink loop below a folder is one note, not followed, and every real file is checked,
// linted and formatted once, under its own path rather than a link's; one file named twice (e.adainf ./e.adainf) is taken once;
// fmt goes on past a file it cannot read and reports every one.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BASE, cli, project } from "../helpers.js";
import { adainfFilesIn } from "../../src/util/adainf-files.js";

describe("folders with symlinks", () => {
  it("a link back up the tree is a note, and each file is taken once", { timeout: 30_000 }, async () => {
    const dir = project({ "proj/a.adainf": BASE, "proj/sub/b.adainf": BASE });
    fs.symlinkSync("..", path.join(dir, "proj/sub/loop"));
    fs.symlinkSync("a.adainf", path.join(dir, "proj/twin.adainf")); // a second name of a.adainf
    expect(adainfFilesIn(path.join(dir, "proj")).map((f) => path.relative(dir, f))).toEqual(["proj/a.adainf", "proj/sub/b.adainf"]);
    const check = await cli(["check", "proj"], dir);
    expect(check.err).toContain("note: proj/sub/loop: a symlink loop (it leads back to proj), not followed\n");
    expect(check.out + check.err).toContain("2 files checked");
    const json = JSON.parse((await cli(["lint", "proj", "--format", "json"], dir)).out) as { pipelines: unknown[] };
    expect(json.pipelines).toHaveLength(2);
    fs.appendFileSync(path.join(dir, "proj/a.adainf"), "\n  ");
    const fmt = await cli(["fmt", "--check", "proj"], dir);
    expect(fmt.out).toBe("proj/a.adainf\n");
  });

  it("a file reached through a folder link and its real folder is named by its own path, whatever sorts first", { timeout: 30_000 }, async () => {
    const dir = project({ "w/sub/q.adainf": "pipeline a from simclr {   seed = 1 }\n" });
    fs.symlinkSync("sub", path.join(dir, "w/a-link")); // sorts before sub
    expect(adainfFilesIn(path.join(dir, "w")).map((f) => path.relative(dir, f))).toEqual(["w/sub/q.adainf"]);
    expect((await cli(["fmt", "--check", "w"], dir)).out).toBe("w/sub/q.adainf\n");
  });

  it("the same file under two spellings is checked once", { timeout: 30_000 }, async () => {
    const dir = project({ "e.adainf": 'pipeline p from simclr {\n  seed = "x"\n}\n' });
    const r = await cli(["check", "e.adainf", "./e.adainf", "."], dir);
    expect(r.out + r.err).toContain("1 file checked: 2 errors");
  });
});

describe("fmt and files it cannot read", () => {
  it("a dangling link is reported (E005, line 1) and the other files are still checked", { timeout: 30_000 }, async () => {
    const dir = project({ "dl/z.adainf": "pipeline a from simclr {   seed = 1 }\n" });
    fs.symlinkSync("nowhere.adainf", path.join(dir, "dl/a-dangling.adainf"));
    const r = await cli(["fmt", "--check", "dl"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("dl/a-dangling.adainf:1:1: error[E005]: cannot read dl/a-dangling.adainf: no such file or folder");
    expect(r.out).toBe("dl/z.adainf\n");
    const check = await cli(["check", "dl"], dir);
    expect(check.out + check.err).toContain("dl/a-dangling.adainf:1:1: error[E005]");
  });
});
