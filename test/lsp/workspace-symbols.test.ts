// Workspace symbols through `adainfc lsp` driven by a real client (./client.ts): the
// declarations of the files under the workspace folder (nested ones too), of the open
// documents (their unsaved text) and of the stdlib, filtered by the query as editors
// filter (its characters in order, any case), each at its name in its file.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, Client, type Position, ROOT, uriOf } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface WorkspaceSymbol {
  name: string;
  kind: number;
  location: { uri: string; range: { start: Position; end: Position } };
  containerName: string;
}

const common = `augment mild = symmetric with { strength = 0.5 }

recipe base from simclr {
  data {
    real = cifar10("d", split = train)
    eval = cifar10("d", split = test)
  }
}
`;

describe.skipIf(skip)("adainfc lsp workspace symbols", () => {
  let client: Client;
  let dir: string;
  const symbols = (query: string) => client.request<WorkspaceSymbol[]>("workspace/symbol", { query });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-symbols-"));
    writeFileSync(join(dir, "common.adainf"), common);
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "run.adainf"), 'use "../common.adainf"\n\npipeline nested_run from base {\n  augment = mild\n}\n');
    client = await Client.start(dir);
    // Never saved: only the editor has it.
    client.open(join(dir, "draft.adainf"), "augment unsaved_preset = symmetric with { strength = 0.8 }\n");
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("advertises workspace symbols", () => {
    expect(client.capabilities.workspaceSymbolProvider).toBe(true);
  });

  it("lists the declarations of the workspace's files, the open ones' and the stdlib's", async () => {
    const all = await symbols("");
    const names = all.map((s) => `${s.containerName}: ${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "common.adainf: mild",
        "common.adainf: base",
        "sub/run.adainf: nested_run",
        "draft.adainf: unsaved_preset",
        "stdlib/augment.adainf: symmetric_adainf",
        "stdlib/methods.adainf: simclr",
        "stdlib/datasets.adainf: cifar10",
      ]),
    );
    // Declarations only, never the blocks and settings of the outline below them.
    expect(names.some((n) => n.endsWith(": data") || n.endsWith(": augment"))).toBe(false);
  });

  it("filters by the query, and locates each symbol at its name", async () => {
    expect(await symbols("MILD")).toEqual([
      {
        name: "mild",
        kind: 12, // Function, as in the outline
        location: { uri: uriOf(join(dir, "common.adainf")), range: { start: { line: 0, character: 8 }, end: { line: 0, character: 12 } } },
        containerName: "common.adainf",
      },
    ]);
    const fuzzy = await symbols("nstdrn");
    expect(fuzzy.map((s) => [s.name, s.kind, s.location.range.start])).toEqual([["nested_run", 5, { line: 2, character: 9 }]]);
    expect((await symbols("unsaved")).map((s) => s.location.uri)).toEqual([uriOf(join(dir, "draft.adainf"))]);
    // `asymmetric_adainf` has the query's characters in order too.
    const std = await symbols("symmetric_adainf");
    expect(std.map((s) => s.name).sort()).toEqual(["asymmetric_adainf", "symmetric_adainf"]);
    expect(std.find((s) => s.name === "symmetric_adainf")!.location.uri).toBe(uriOf(join(ROOT, "stdlib", "augment.adainf")));
    expect(await symbols("no such declaration anywhere")).toEqual([]);
  });
});
