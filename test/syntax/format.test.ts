// The formatter (formatText): pipelines/ and stdlib/ are already formatted and it is
// idempotent; reformatting scrambled files keeps their IR; comments (in order; an argument
// list over lines with comments stays over lines), string escapes and literals survive; a
// file with syntax errors is left unchanged; a file whose lines end with CRLF, a lone CR or
// a mix is formatted as its LF copy is; `with` after ';' (which would join the statement
// before on a line of its own) is a syntax error fmt leaves alone.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { formatText } from "../../src/syntax/format.js";
import { parseSource } from "../../src/syntax/parse.js";
import { project, ROOT } from "../helpers.js";

const files = ["pipelines", "stdlib"].flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => f.endsWith(".adainf"))
    .map((f) => join(d, f)),
);

function irOf(text: string, name = "p.adainf") {
  const dir = project({ [name]: text });
  const out = compileFileSync(name, { cwd: dir });
  return { diagnostics: out.diagnostics.map((d) => d.code), irs: out.pipelines.map((p) => p.ir) };
}

describe("fmt", () => {
  it.each(files)("%s is already formatted, and formatting is idempotent", (f) => {
    const text = readFileSync(join(ROOT, f), "utf8");
    const once = formatText(text, f).text;
    expect(once).toBe(text);
    expect(formatText(once, f).text).toBe(once);
  });

  it.each(files.filter((f) => f.startsWith("pipelines")))("formatting %s keeps its IR", (f) => {
    const text = readFileSync(join(ROOT, f), "utf8");
    const messy = text.replace(/\n\s+/g, "\n ").replace(/ = /g, "=").replace(/\n/g, "\n\n");
    expect(messy).not.toBe(text);
    const formatted = formatText(messy, f).text;
    expect(formatted).toBe(formatText(formatted, f).text);
    expect(irOf(formatted)).toEqual(irOf(text));
  });

  it("formatting a messed-up stdlib keeps the IR of every paper pipeline", () => {
    const overlay = new Map<string, string>();
    for (const f of files.filter((x) => x.startsWith("stdlib"))) {
      const text = readFileSync(join(ROOT, f), "utf8");
      const messy = text
        .split("\n")
        .map((l) => (l.trim().startsWith("//") ? l : l.trim().replace(/ = /g, "  =  ")))
        .join("\n");
      const formatted = formatText(messy, f).text;
      expect(formatted).toBe(text);
      overlay.set(join(ROOT, f), formatted);
    }
    for (const f of files.filter((x) => x.startsWith("pipelines"))) {
      const plain = compileFileSync(f, { cwd: ROOT }).pipelines.map((p) => p.ir);
      const viaFormatted = compileFileSync(f, { cwd: ROOT, overlay }).pipelines.map((p) => p.ir);
      expect(viaFormatted).toEqual(plain);
    }
  });

  it("keeps every comment, leading, trailing, inside and at the end", () => {
    const src = [
      "// header",
      "",
      "/* block",
      "   comment */",
      "pipeline p from simclr { // after brace",
      "  // before data",
      '  data { real = cifar10("d", split = train) // trailing',
      '    eval = cifar10("d", split = test) }',
      "  train { steps = 10 /* inline */ ; batch_size = 8",
      "    // dangling at the end of a block",
      "  }",
      "}",
      "// footer",
    ].join("\n");
    const out = formatText(src, "c.adainf").text;
    const comments = (t: string) => parseSource(t, "c.adainf").ast.comments.map((c) => c.text);
    expect(comments(out)).toEqual(comments(src));
    expect(formatText(out, "c.adainf").text).toBe(out);
    expect(irOf(out)).toEqual(irOf(src));
    expect(out).toContain('    real = cifar10("d", split = train) // trailing\n');
  });

  it("keeps a comment inside a statement, after it and after a block's '}' on that line", () => {
    const src = [
      "pipeline p from simclr {",
      '  data { real = cifar10("d", split = train, /* inline */ size = 1_000) // end',
      '    eval = cifar10("d", split = test) }',
      "  seed = 1; /* a */ // b",
      "  train { steps = 10 } /* after the block */",
      "  z = 3 /* over",
      "     two lines */ w = 4",
      "}",
      "",
    ].join("\n");
    const out = formatText(src, "c.adainf").text;
    expect(out).toBe(
      [
        "pipeline p from simclr {",
        "  data {",
        '    real = cifar10("d", split = train, size = 1_000) /* inline */ // end',
        '    eval = cifar10("d", split = test)',
        "  }",
        "  seed = 1 /* a */ // b",
        "  train {",
        "    steps = 10",
        "  } /* after the block */",
        "  z = 3",
        "  /* over",
        "     two lines */",
        "  w = 4",
        "}",
        "",
      ].join("\n"),
    );
    expect(formatText(out, "c.adainf").text).toBe(out);
  });

  it("keeps an argument list written over lines with comments over lines, each comment at its argument", () => {
    const src = [
      "pipeline p from simclr {",
      "  data {",
      '    real = cifar10("datasets/cifar10", split = train)',
      "    generated = npz(",
      '      "gen.npz",',
      "      // the generator's own count",
      "      size = 1_000,",
      "      fid   = 1.94, // from the paper",
      "      /* last */",
      "    )",
      "  }",
      "}",
      "",
    ].join("\n");
    const out = formatText(src, "c.adainf").text;
    expect(out).toBe(src.replace("fid   =", "fid ="));
    expect(formatText(out, "c.adainf").text).toBe(out);
    expect(irOf(out)).toEqual(irOf(src));
  });

  it("keeps comments in source order: one after a `//` comment goes on the line below", () => {
    const src = ["pipeline p from simclr {", "  data {", "    eval = // first", '      cifar10("d", split = test) /* second */', "  }", "}", ""].join("\n");
    const out = formatText(src, "c.adainf").text;
    expect(out).toBe(["pipeline p from simclr {", "  data {", '    eval = cifar10("d", split = test) // first', "    /* second */", "  }", "}", ""].join("\n"));
    expect(formatText(out, "c.adainf").text).toBe(out);
  });

  it("writes counts with x, one statement per line, canonical spacing", () => {
    const out = formatText("pipeline p{inflate{real*10;gen   x 1}augment=symmetric with{grayscale.p=0.1}}", "f.adainf").text;
    expect(out).toBe(
      ["pipeline p {", "  inflate {", "    real x 10", "    gen x 1", "  }", "  augment = symmetric with { grayscale.p = 0.1 }", "}", ""].join("\n"),
    );
  });

  it("writes a dotted recipe after `from` as one name", () => {
    const out = formatText('use "./common.adainf" as c\npipeline p from  c . base {seed=1;;}', "f.adainf").text;
    expect(out).toBe(['use "./common.adainf" as c', "", "pipeline p from c.base {", "  seed = 1", "}", ""].join("\n"));
  });

  it("leaves a file with syntax errors unchanged and reports them", () => {
    const r = formatText("pipeline p { seed = }", "e.adainf");
    expect(r.text).toBe("pipeline p { seed = }");
    expect(r.diagnostics[0]!.code).toBe("E002");
  });

  it("keeps string escapes and literals as written", () => {
    const src = 'pipeline p {\n  output {\n    dir = "runs/a \\"b\\" \\\\ c"\n  }\n  seed = 1_0\n}\n';
    expect(formatText(src, "s.adainf").text).toBe(src);
  });

  it("formats a file whose lines end with CRLF, a lone CR or a mix as its LF copy (blank lines and comments on their own lines kept)", () => {
    const lf = [
      "// a",
      "",
      "augment w = symmetric // trailing",
      "",
      "",
      "// c",
      "/* block",
      "   comment */",
      "augment v = symmetric",
      "pipeline p from simclr {",
      "  seed = 1",
      "",
      "  // d",
      "  train { steps = 5 }",
      "}",
      "",
    ];
    const want = formatText(lf.join("\n"), "p.adainf").text;
    expect(want).toContain("// a\n\naugment w = symmetric // trailing\n\n// c\n");
    for (const ends of [["\r\n"], ["\r"], ["\r", "\r\n", "\n"]]) {
      const text = lf.map((l, i) => l + ends[i % ends.length]).join("");
      expect(formatText(text, "p.adainf").text, JSON.stringify(ends)).toBe(want);
    }
  });
});

describe("fmt keeps a file parsing and trims every comment line", () => {
  const vanilla = readFileSync(join(ROOT, "pipelines", "simclr_vanilla.adainf"), "utf8");
  it("a count that does not start with a digit keeps `*` (`x -1` would not parse)", () => {
    for (const count of ["-1", "-1.5"]) {
      const text = vanilla.replace(/real x 1$/m, `real * ${count}`);
      expect(parseSource(text, "n.adainf").diagnostics).toEqual([]);
      const out = formatText(text, "n.adainf");
      expect(out.text).toContain(`real * ${count}`);
      expect(parseSource(out.text, "n.adainf").diagnostics).toEqual([]);
    }
    expect(formatText(vanilla, "v.adainf").text).toContain("real x 1\n");
  });

  it.each([
    ["a bare `with`", "steps = 3; with"],
    ["`with` and a block", "steps = 3; with { }"],
    ["`with` and a setting", "steps = 300; with schedule = warmup_cosine(warmup = 30 steps)"],
  ])("%s after ';' is a syntax error at the 'with' (it would join the statement before once on its own line)", (_, train) => {
    const text = `pipeline p from simclr {\n  data { real = cifar10("d") }\n  train { ${train} }\n}\n`;
    const r = parseSource(text, "w.adainf");
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span!.line, d.span!.column])).toEqual([
      ["E002", "'with' cannot start a statement", 3, train.indexOf("with") + 11],
    ]);
    expect(r.diagnostics[0]!.hint).toContain("follows a value");
    expect(formatText(text, "w.adainf").text).toBe(text);
  });

  it("a value's `with` block on the next line stays the value's", () => {
    const text = "pipeline p from simclr {\n  augment = symmetric\n    with { grayscale.p = 0.1 }\n}\n";
    expect(parseSource(text, "w.adainf").diagnostics).toEqual([]);
    const out = formatText(text, "w.adainf").text;
    expect(out).toBe("pipeline p from simclr {\n  augment = symmetric with { grayscale.p = 0.1 }\n}\n");
    expect(irOf(out)).toEqual(irOf(text));
  });

  it("drops trailing spaces and tabs after a comment at the end of a statement", () => {
    const out = formatText("pipeline p from simclr {\n  seed = 1 // why   \t\n  // alone   \t\n}\n", "t.adainf").text;
    expect(out).toBe("pipeline p from simclr {\n  seed = 1 // why\n  // alone\n}\n");
  });
});
