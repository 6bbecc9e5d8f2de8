// The server's `set` and `rules` settings through `adainfc lsp` driven by a real client
// (./client.ts): given with initialize and changed with didChangeConfiguration, they act
// as `adainfc lint --set key=value --rule id=severity` do, and the open document's
// diagnostics are published again; a bad `set` entry is the compiler's E002 diagnostic,
// a bad value of another shape a window/showMessage error, and the server goes on.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, Client, type LspDiagnostic } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

// 100 real images x 1 beside 1,000 generated: vanilla-inflation, data-scarce and balance warn.
const text = `pipeline p from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    generated = npz("g.npz", size = 1_000, fid = 5, channels = rgb, shape = (32, 32, 3))
    eval = cifar10("d", split = test, size = 100)
  }
  inflate {
    real x 1
    generated x 1
  }
}
`;

const codes = (ds: LspDiagnostic[]) => ds.map((d) => `${d.code}:${d.severity}`).sort();

describe.skipIf(skip)("adainfc lsp settings: set and rules", () => {
  let client: Client;
  let uri: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "adainf-settings-"));
    writeFileSync(join(dir, "p.adainf"), text);
    // As `--rule data-scarce=error --rule vanilla-inflation=off`, and one rule that does not exist.
    client = await Client.start(dir, 10, {}, { rules: { "data-scarce": "error", "vanilla-inflation": "off", "no-such-rule": "warn" } });
    uri = client.open(join(dir, "p.adainf"), text);
  });
  /** The titles of the lint fixes offered for the whole file. */
  const fixes = async () =>
    (
      await client.request<{ title: string }[]>("textDocument/codeAction", {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 11, character: 0 } },
        context: { diagnostics: [] },
      })
    )
      .map((a) => a.title)
      .filter((t) => t.startsWith("Fix ") || t.startsWith("Apply every"));
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("takes rule severities with initialize, and shows a rule it does not know as an error", async () => {
    // Severity 1 is an error, 2 a warning.
    expect(codes(await client.diagnostics(uri))).toEqual(["balance:2", "data-scarce:1"]);
    expect(client.shown).toEqual([{ type: 1, message: "adainf.rules: unknown lint rule 'no-such-rule' (adainfc explain --list shows them)" }]);
  });

  it("applies set overrides and new severities on didChangeConfiguration, publishing again", async () => {
    client.configure({ set: ["train.steps=5"], rules: {} });
    const ds = await client.diagnostics(uri, (d) => d.some((x) => x.code === "schedule"));
    // As `adainfc lint --set train.steps=5`: the schedule warnings, and the rules at their defaults again.
    expect(codes(ds)).toEqual(["balance:2", "data-scarce:2", "schedule:2", "schedule:2", "vanilla-inflation:2"]);
    expect(ds.find((d) => d.code === "schedule")!.message).toContain("warm-up (1,000 steps) is not shorter than training (5 steps)");
    // Lint fixes are not offered under overrides (`lint --fix` refuses --set).
    expect(await fixes()).toEqual([]);
  });

  it("reports a set entry that is no setting as the compiler's E002 diagnostic", async () => {
    client.configure({ set: ["nonsense"] });
    const ds = await client.diagnostics(uri, (d) => d.some((x) => x.code === "E002"));
    expect(ds).toEqual([
      expect.objectContaining({
        code: "E002",
        severity: 1,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: "--set #1:1:1: --set nonsense: expected key=value\nhint: e.g. --set train.steps=500",
      }),
    ]);
  });

  it("names a set entry's mistake by the entry (--set #n), its line and column, at the file's start", async () => {
    client.configure({ set: ["seed=1", "train.step=5"] });
    const ds = await client.diagnostics(uri, (d) => d.some((x) => x.code === "E011"));
    expect(ds.find((d) => d.code === "E011")).toMatchObject({
      severity: 1,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: "--set #2:1:7: train has no setting 'step'\nhint: did you mean 'steps'?",
    });
    client.configure({ set: [] });
    expect(codes(await client.diagnostics(uri, (d) => !d.some((x) => x.code === "E011")))).toEqual(["balance:2", "data-scarce:2", "vanilla-inflation:2"]);
  });

  it("shows a setting of the wrong shape as an error, keeps the last good value and goes on", async () => {
    client.configure({ set: "train.steps=5", rules: { balance: 3 } });
    client.configure({ set: [] });
    expect(codes(await client.diagnostics(uri, (d) => !d.some((x) => x.code === "E002")))).toEqual(["balance:2", "data-scarce:2", "vanilla-inflation:2"]);
    // With no overrides the lint fixes are offered again.
    expect((await fixes()).length).toBeGreaterThan(0);
    expect(client.shown.slice(1)).toEqual([
      { type: 1, message: 'adainf.set: expected a list of "key=value" strings (as --set takes), got "train.steps=5"' },
      { type: 1, message: "adainf.rules: the severity of 'balance' must be one of off, info, warn, error; got 3" },
    ]);
  });
});
