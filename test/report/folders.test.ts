// What `report` makes of a folder (runs/): the run directories in it and the points of
// the sweeps in it, never silently fewer; a folder of sweeps alone is one too. A partial
// sweep says how many of its grid's points finished and which never started; a run whose
// run.lock names a live process is running, another host's lock is named as such. A file
// given as the folder is the input's mistake, said before the output is looked at.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { buildReport } from "../../src/report/index.js";
import { cli } from "../helpers.js";
import { fakeRuns, fakeSweep, storyProject } from "./fixtures.js";

const statuses = (html: string): string[] => [...html.matchAll(/<td class="status-[a-z]+">([^<]*)<\/td>/g)].map((m) => m[1]!);

test("a folder of runs takes the sweeps in it too; a folder of sweeps alone is read", async () => {
  const dir = storyProject();
  fakeSweep(dir);
  fakeRuns(dir);
  const r = await buildReport("runs", { cwd: dir, preview: false });
  expect(r.input.kind).toBe("folder");
  // 5 runs of runs/mixed one level down, and the 6 points of runs/story
  expect(r.input.points.map((p) => path.relative(path.join(dir, "runs"), p.dir))).toEqual([
    "mixed/a",
    "mixed/b",
    "mixed/c",
    "mixed/d",
    "mixed/e",
    "story/inflation=adainf,seed=0",
    "story/inflation=adainf,seed=1",
    "story/inflation=none,seed=0",
    "story/inflation=none,seed=1",
    "story/inflation=vanilla,seed=0",
    "story/inflation=vanilla,seed=1",
  ]);
  // a point is named by its pipeline and point among other runs
  expect(r.input.points[5]!.label).toBe("story[inflation=adainf,seed=0]");
  expect(r.input.sweeps.map((w) => [w.base, w.finished, w.total, w.known])).toEqual([["story", 6, 6, true]]);

  const only = storyProject();
  fakeSweep(only);
  fs.mkdirSync(path.join(only, "all"));
  fs.renameSync(path.join(only, "runs/story"), path.join(only, "all/story"));
  const c = await cli(["report", "all", "-o", "all.html", "--no-preview"], only);
  expect(c.err).toBe("");
  expect(c.code).toBe(0);
  expect(c.out).toMatch(/^wrote all\.html: 6 runs \(6 finished\), 3 result rows, /);
});

test("a partial sweep: n of m points finished and the points never started, on the page and as a note", async () => {
  const dir = storyProject();
  fakeSweep(dir, { unfinished: ["inflation=adainf,seed=1"] });
  fs.rmSync(path.join(dir, "runs/story/inflation=vanilla,seed=1"), { recursive: true });
  const r = await buildReport("runs/story", { cwd: dir, preview: false });
  expect(r.input.sweeps).toEqual([
    { base: "story", dir: path.join(dir, "runs/story"), finished: 4, total: 6, known: true, missing: ["inflation=vanilla,seed=1"] },
  ]);
  expect(r.html).toContain("sweep story: 4 of 6 points finished");
  expect(r.html).toContain("Sweep <b>story</b>: 4 of 6 points finished; not started: <code>inflation=vanilla,seed=1</code>.");
  expect(r.notes).toContain("sweep story: 4 of 6 points finished (1 not started)");
  // without its pipeline file the grid is what the folders show: a lower bound, said so
  fs.rmSync(path.join(dir, "story.adainf"));
  const gone = await buildReport("runs/story", { cwd: dir, preview: false });
  expect(gone.input.sweeps.map((w) => [w.finished, w.total, w.known, w.missing])).toEqual([[4, 6, false, ["inflation=vanilla,seed=1"]]]);
  expect(gone.html).toContain("4 of at least 6 points finished (its pipeline file is gone or changed");
});

test("a run whose run.lock names a live process is running, since the lock's time (an old lock whose pid was reused shows its age); another host's lock is named; a dead one's is stopped", async () => {
  const dir = storyProject();
  fakeSweep(dir, { unfinished: ["inflation=adainf,seed=0", "inflation=adainf,seed=1", "inflation=none,seed=0"], steps: 40 });
  const lock = (point: string, pid: number, host: string): void =>
    fs.writeFileSync(path.join(dir, "runs/story", point, "run.lock"), JSON.stringify({ pid, host, started: "2026-11-30T10:00:00.000Z" }));
  lock("inflation=adainf,seed=0", process.pid, os.hostname());
  lock("inflation=adainf,seed=1", 12345, "node17.invalid");
  lock("inflation=none,seed=0", 2 ** 22 + 7, os.hostname()); // above pid_max: no such process
  const r = await buildReport("runs/story", { cwd: dir, preview: false });
  expect(statuses(r.html).slice(0, 3)).toEqual([
    `running (pid ${process.pid}, since 2026-11-30 10:00 UTC), at step 20 of 40`,
    "locked by pid 12345 on node17.invalid since 2026-11-30 10:00 UTC (running there, or stopped without removing run.lock), at step 20 of 40",
    "stopped after step 20 of 40",
  ]);
});

test("report <file>: the input is the mistake, not the default output", async () => {
  const dir = storyProject();
  const r = await cli(["report", "story.adainf"], dir);
  expect(r.code).toBe(1);
  expect(r.err).toBe("error: story.adainf is a file, not a run or sweep directory (give the folder a run wrote, e.g. runs/<pipeline>, or a folder of runs)\n");
});
