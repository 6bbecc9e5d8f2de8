// The language server lists the workspace's `.adainf` files once and keeps the listing
// (and what it read of them) until the client reports a change on disk, or for a few
// seconds when the client reports none; a file written since is seen after either.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Workspace } from "../../src/lsp/workspace.js";

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
