// The statement scanner of hover, completion and signature help (src/lsp/scan.ts) reads a
// document in time linear in its tokens: a long statement on one line (with no `=`, or of
// calls after calls) is read at once, not token by token from its start.
import { describe, expect, it } from "vitest";
import { cursorAt } from "../../src/lsp/scan.js";

describe("cursorAt: linear in the statement's length", () => {
  const timed = (text: string): number => {
    const t = performance.now();
    cursorAt(text, text.length - 4);
    return performance.now() - t;
  };
  it("a 160 KB one-line block of names without '='", () => {
    const text = `pipeline p from simclr {\n  train { ${Array(80_000).fill("a").join(" ")} }\n}\n`;
    // Quadratic, it took 10 s; linear, well under one (the bound allows a loaded machine).
    expect(timed(text)).toBeLessThan(3000);
  });
  it("a value of 40,000 calls after calls, and a long dotted key", () => {
    expect(timed(`pipeline p from simclr {\n  train { x = f${"()".repeat(40_000)} }\n}\n`)).toBeLessThan(3000);
    expect(timed(`pipeline p from simclr {\n  train { x = 1 ${Array(40_000).fill("a").join(".")} }\n}\n`)).toBeLessThan(3000);
  });
  it("still reads the statement at the cursor", () => {
    const text = "pipeline p from simclr {\n  train { devices = 1 b }\n}\n";
    const c = cursorAt(text, text.indexOf(" b }") + 2);
    expect(c.word?.image).toBe("b");
    expect(c.stmt).toEqual([]);
    const units = "pipeline p from simclr {\n  train { steps = 10 epochs }\n}\n";
    expect(cursorAt(units, units.indexOf("epochs") + 3).stmt.map((t) => t.image)).toEqual(["steps", "=", "10"]);
  });
});
