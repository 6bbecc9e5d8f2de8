// The committed grammar/diagram.html equals what diagramHtml() makes from the current
// parser, and the grammar and tokens pass chevrotain's own validations.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { diagramHtml } from "../../grammar/diagram.js";
import { AdainfParser } from "../../grammar/parser.js";
import { ROOT } from "../helpers.js";

it("grammar/diagram.html is generated from the current parser (npm run build && node scripts/gen-diagram.mjs)", () => {
  const committed = readFileSync(join(ROOT, "grammar", "diagram.html"), "utf8");
  expect(committed).toBe(diagramHtml());
  expect(committed).toContain("statement");
});

it("the grammar passes chevrotain's validations (ambiguities, left recursion)", () => {
  expect(() => new AdainfParser({ validate: true })).not.toThrow();
});

it("the token definitions pass chevrotain's lexer validations", async () => {
  const { chevrotain } = await import("../../grammar/chevrotain.js");
  const { allTokens } = await import("../../grammar/tokens.js");
  expect(() => new chevrotain.Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false })).not.toThrow();
});
