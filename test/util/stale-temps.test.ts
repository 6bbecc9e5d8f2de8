// removeStaleTemps: the temp files a killed writer left (both naming schemes: the npz
// writer's `.name.<pid>.<stamp>.tmp`, the cache's `name.<pid>.<hex>.tmp`) go; a live
// process's, another file's and anything not shaped like a temp name stay.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { removeStaleTemps } from "../../src/util/stale-temps.js";

it("removes only dead processes' temp files of the given name", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-stale-"));
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
  const names = {
    staleCache: `abc-u8-image.npy.${dead}.9f3a01bc.tmp`,
    staleBare: `abc-u8-image.npy.${dead}.tmp`,
    liveCache: `abc-u8-image.npy.${process.pid}.9f3a01bc.tmp`,
    otherFile: `abd-u8-image.npy.${dead}.9f3a01bc.tmp`,
    notATemp: `abc-u8-image.npy.${dead}.9f3a01bc.tmp.keep`,
    theFile: "abc-u8-image.npy",
  };
  for (const n of Object.values(names)) fs.writeFileSync(path.join(dir, n), "x");
  const removed = removeStaleTemps(dir, "abc-u8-image.npy.");
  expect(removed.sort()).toEqual([names.staleBare, names.staleCache].sort());
  expect(fs.readdirSync(dir).sort()).toEqual([names.liveCache, names.otherFile, names.notATemp, names.theFile].sort());
  expect(removeStaleTemps(path.join(dir, "missing"), "x.")).toEqual([]);
});
