// The builtin tables of docs/language.md are generated from the definition
// (src/ir/builtins.ts). This test fails when they are stale; regenerate with
//   npm run docs      (or UPDATE_LANGUAGE_DOCS=1 npx vitest run test/ir/builtin-docs.test.ts)
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtinTables, withBuiltinTables } from "../../src/ir/builtin-docs.js";
import * as B from "../../src/ir/builtins.js";
import { langParams } from "../../src/ir/define.js";

const root = path.resolve(__dirname, "../..");
const update = process.env["UPDATE_LANGUAGE_DOCS"] === "1";

describe("builtin docs", () => {
  it("the builtin tables in docs/language.md are current", () => {
    const file = path.join(root, "docs/language.md");
    const text = fs.readFileSync(file, "utf8");
    const want = withBuiltinTables(text);
    if (update) fs.writeFileSync(file, want);
    expect(fs.readFileSync(file, "utf8")).toBe(want);
  });

  it("every builtin and every parameter is in a table, with a doc", () => {
    const all = Object.values(builtinTables()).join("\n");
    const families = [B.AUGMENT_OPS, B.BACKBONES, B.METHODS, B.OPTIMIZERS, B.SCHEDULES, B.EVALUATORS, B.SOURCE_FORMATS];
    for (const f of families) {
      for (const b of Object.values(f)) {
        expect(all).toContain(`| \`${b.name}\` |`);
        expect(b.doc.length).toBeGreaterThan(5);
        for (const p of langParams(b.fields)) {
          expect(all).toContain(`| \`${p.lang}\` |`);
          expect(p.field.doc.length).toBeGreaterThan(3);
        }
      }
    }
  });
});
