// `adainfc lsp` and a document's imports, driven by a real client (./client.ts): an
// import that is missing (or not UTF-8) and then opened or edited in the editor checks
// the files that import it again; a problem in an import of an import is shown at the
// `use` that leads to it. Runs the build in dist/.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILT, Client } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

const common = `recipe shared from simclr {
  data {
    real = cifar10("d", split = train, size = 50000)
    eval = cifar10("d", split = test, size = 10000)
  }
}
`;
const main = `use "./common.adainf"
pipeline p from shared {
  augment = symmetric
}
`;

const codes = (d: { code: string }[]) => d.map((x) => x.code);

describe.skipIf(skip)("adainfc lsp: the importers of a file the editor opens", () => {
  it("checks a file again when the import it missed is created in the editor, and when that is edited", async () => {
    const dir = mkdtempSync(join(tmpdir(), "adainf-lsp-missing-"));
    writeFileSync(join(dir, "main.adainf"), main);
    const client = await Client.start(dir);
    try {
      const m = client.open(join(dir, "main.adainf"), main);
      expect(codes(await client.diagnostics(m))).toContain("E013");
      // Created in the editor, not saved yet: main sees its text.
      const c = client.open(join(dir, "common.adainf"), common);
      expect(await client.diagnostics(m, (d) => d.length === 0)).toEqual([]);
      // Edited so that main no longer compiles: main shows it.
      client.change(c, common.replace("recipe shared", "recipe other"));
      expect(codes(await client.diagnostics(m, (d) => d.length > 0))).toContain("E010");
      // Closed: read from the disk again, where it is still missing.
      client.close(c);
      expect(codes(await client.diagnostics(m, (d) => codes(d).includes("E013")))).toContain("E013");
    } finally {
      await client.stop();
    }
  });

  it("checks a file again when an import that is not UTF-8 on disk is opened with good text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "adainf-lsp-notutf8-"));
    writeFileSync(join(dir, "main.adainf"), main);
    writeFileSync(join(dir, "common.adainf"), Buffer.concat([Buffer.from("// caf"), Buffer.from([0xe9]), Buffer.from(`\n${common}`)]));
    const client = await Client.start(dir);
    try {
      const m = client.open(join(dir, "main.adainf"), main);
      expect(codes(await client.diagnostics(m))).toContain("E005");
      client.open(join(dir, "common.adainf"), `// café\n${common}`);
      expect(await client.diagnostics(m, (d) => d.length === 0)).toEqual([]);
    } finally {
      await client.stop();
    }
  });
});

describe.skipIf(skip)("adainfc lsp: a problem in an import of an import", () => {
  it("is shown at the `use` that leads to it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "adainf-lsp-transitive-"));
    writeFileSync(join(dir, "a.adainf"), "augment weak = symmetric_adainf with { strength = 0.5 }\n");
    writeFileSync(join(dir, "c.adainf"), "recipe deep from simclr {\n  train { batch_size = -1 }\n}\n");
    writeFileSync(join(dir, "b.adainf"), 'use "./c.adainf"\nrecipe mid from deep { }\n');
    const text =
      'use "./a.adainf"\nuse "./b.adainf"\n\npipeline p from mid {\n  augment = weak\n  data { real = cifar10("d") eval = cifar10("d", split = test) }\n  evaluate { source = eval }\n}\n';
    const client = await Client.start(dir);
    try {
      const uri = client.open(join(dir, "main.adainf"), text);
      const e021 = (await client.diagnostics(uri)).find((d) => d.code === "E021");
      expect(e021?.message).toMatch(/^c\.adainf:2:24: train\.batch_size = -1 is out of range/);
      expect(e021?.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 1, character: 16 } });
    } finally {
      await client.stop();
    }
  });
});
