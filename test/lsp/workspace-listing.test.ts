// The language server lists the workspace's `.adainf` files once and keeps the listing
// (and what it read of them) until the client reports a change on disk, or for a few
// seconds when the client reports none; a file written since is seen after either. The
// walk under it does not enter the kernel's file systems (/proc) and lists a bounded
// number of folders.
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Workspace } from "../../src/lsp/workspace.js";
import { adainfFilesIn } from "../../src/util/adainf-files.js";

const none = { get: () => undefined, all: () => [] };

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "adainf-lsp-listing-"));
  writeFileSync(join(dir, "lib.adainf"), "recipe base from simclr {\n  train {\n    steps = 10 epochs\n  }\n}\n");
  writeFileSync(join(dir, "one.adainf"), 'use "lib.adainf"\n');
  return dir;
}

describe("the workspace listing", () => {
  /** A workspace over a new folder whose client reports file changes, and the folder's library. */
  const watched = (): { dir: string; ws: Workspace; lib: string } => {
    const dir = folder();
    const ws = new Workspace(none);
    ws.setRoots([dir]);
    ws.watchFiles(true);
    return { dir, ws, lib: join(dir, "lib.adainf") };
  };

  it("watched: kept until filesChanged, then read again", () => {
    const { dir, ws, lib } = watched();
    expect(ws.usersOf(lib, new Map())).toEqual([join(dir, "one.adainf")]);
    writeFileSync(join(dir, "two.adainf"), 'use "lib.adainf"\n');
    writeFileSync(join(dir, "one.adainf"), "// no longer a user\n");
    expect(ws.usersOf(lib, new Map())).toEqual([join(dir, "one.adainf")]);
    ws.filesChanged();
    expect(ws.usersOf(lib, new Map())).toEqual([join(dir, "two.adainf")]);
  });

  it("not watched: kept for the time to live only", () => {
    const dir = folder();
    const lib = join(dir, "lib.adainf");
    const kept = new Workspace(none, 60_000);
    const fresh = new Workspace(none, -1);
    for (const ws of [kept, fresh]) {
      ws.setRoots([dir]);
      expect(ws.usersOf(lib, new Map())).toEqual([join(dir, "one.adainf")]);
    }
    writeFileSync(join(dir, "two.adainf"), 'use "lib.adainf"\n');
    expect(kept.usersOf(lib, new Map())).toEqual([join(dir, "one.adainf")]);
    expect(fresh.usersOf(lib, new Map()).sort()).toEqual([join(dir, "one.adainf"), join(dir, "two.adainf")]);
  });

  it("an open document's text wins over the listing's", () => {
    const { dir, ws, lib } = watched();
    expect(ws.usersOf(lib, new Map())).toEqual([join(dir, "one.adainf")]);
    expect(ws.usersOf(lib, new Map([[join(dir, "one.adainf"), "// edited, unsaved\n"]]))).toEqual([]);
  });
});

describe("the walk under a workspace folder", () => {
  it.skipIf(!existsSync("/proc/self"))("does not enter /proc, even through a link", () => {
    const dir = folder();
    symlinkSync("/proc", join(dir, "proc"));
    symlinkSync("/proc/self", join(dir, "self"));
    const started = performance.now();
    expect(adainfFilesIn(dir)).toEqual([join(dir, "lib.adainf"), join(dir, "one.adainf")]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("stops at the most folders it is given, and says so once", () => {
    const dir = folder();
    for (const sub of ["a", "b", "c"]) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, `${sub}.adainf`), "");
    }
    let told = 0;
    const found = adainfFilesIn(dir, undefined, undefined, { maxFolders: 3, onFolderLimit: () => told++ });
    expect(found).toEqual([join(dir, "a", "a.adainf"), join(dir, "b", "b.adainf"), join(dir, "lib.adainf"), join(dir, "one.adainf")]);
    expect(told).toBe(1);
  });

  it("counts the folders of several roots together when they share a count, as the server's listing does", () => {
    const roots = [folder(), folder()];
    for (const root of roots) mkdirSync(join(root, "sub"));
    let told = 0;
    const listed = { folders: 0 };
    const options = { maxFolders: 3, onFolderLimit: () => told++, listed };
    adainfFilesIn(roots[0]!, undefined, undefined, options);
    expect(listed.folders).toBe(2);
    // The second root: its own folder is the third, its sub-folder the first left out.
    adainfFilesIn(roots[1]!, undefined, undefined, options);
    expect(told).toBe(1);
  });
});
