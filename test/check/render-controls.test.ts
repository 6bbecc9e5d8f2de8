// Code frames never pass the source's control characters to the terminal (a title or
// clear-screen escape in a string literal): they are shown as visible symbols, and the
// caret still lines up under the span.
import { describe, expect, it } from "vitest";
import { renderDiagnostic, visible } from "../../src/check/render.js";
import { compileText } from "../helpers.js";

describe("control characters in diagnostics", () => {
  it("are shown as control pictures, one column each", () => {
    expect(visible("a\u001b[2Jb\u0007c\u007fd\u0085e\tf")).toBe("a\u241b[2Jb\u2407c\u2421d\ufffde\tf");
  });

  it("never reach the terminal from a code frame or message, and the caret stays aligned", () => {
    const src = 'pipeline p from simclr {\n  seed = "\u001b]0;pwned\u0007\u001b[2J"\n}\n';
    const out = compileText(src);
    const d = out.diagnostics.find((x) => x.severity === "error" && x.span?.line === 2);
    expect(d).toBeDefined();
    const text = renderDiagnostic(d!, () => src, { color: false });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain("\u241b]0;pwned\u2407\u241b[2J");
    const lines = text.split("\n");
    const frame = lines.findIndex((l) => l.startsWith(">"));
    const caret = lines[frame + 1]!;
    const codeStart = lines[frame]!.indexOf("|") + 2;
    const caretStart = caret.indexOf("^");
    expect(caretStart - codeStart).toBe(d!.span!.column - 1);
  });
});
