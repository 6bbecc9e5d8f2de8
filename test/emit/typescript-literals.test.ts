// Injection safety of the TypeScript target: whatever a source value holds (quotes,
// backslashes, line breaks, `${...}`, `*/`, U+2028, bidi overrides), it lands in the
// program as one literal that reads back as the same string, and adds no statement.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Node, SyntaxKind, type SourceFile } from "ts-morph";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { commentText, numberLiteral, propertyKey, stringLiteral } from "../../src/emit/typescript/literal.js";
import { renderValue, Ref } from "../../src/emit/typescript/value.js";
import { project } from "../helpers.js";
import { constNames, emitTs, parseProgram, pipelineValue, typeErrors } from "./typescript-helpers.js";

/** Parse `const v = <expr>;` with the TypeScript parser; returns the initializer. */
function parseExpression(expr: string): { statements: number; init: ts.Expression | undefined; errors: number } {
  const sf = ts.createSourceFile("x.ts", `const v = ${expr};\n`, ts.ScriptTarget.ES2022, true);
  const errors = (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length;
  const first = sf.statements[0];
  const init = first && ts.isVariableStatement(first) ? first.declarationList.declarations[0]?.initializer : undefined;
  return { statements: sf.statements.length, init, errors };
}

describe("literal writers (property-based, checked with the TypeScript parser)", () => {
  it("stringLiteral: any string, lone surrogates included, reads back as itself", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string()), (s) => {
        const lit = stringLiteral(s);
        const p = parseExpression(lit);
        expect(p.errors).toBe(0);
        expect(p.statements).toBe(1);
        expect(p.init && ts.isStringLiteral(p.init)).toBe(true);
        expect((p.init as ts.StringLiteral).text).toBe(s);
        // one physical line, no invisible reordering characters
        expect(lit).not.toMatch(/[\n\r\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/);
      }),
      { numRuns: 400 },
    );
  });

  it("numberLiteral: any finite double reads back as itself", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const p = parseExpression(numberLiteral(n));
        expect(p.errors).toBe(0);
        expect(Object.is(new Function(`return ${numberLiteral(n)};`)(), n)).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(numberLiteral(1_000_000)).toBe("1_000_000");
    expect(() => numberLiteral(Number.NaN)).toThrow();
  });

  it("propertyKey: any key makes exactly that own property (even __proto__)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "a-b", "1x", "$ok")), (k) => {
        const text = `({ ${propertyKey(k)}: 1 })`;
        expect(parseExpression(text).errors).toBe(0);
        const o = new Function(`return ${text};`)() as Record<string, number>;
        expect(Object.keys(o)).toEqual([k]);
        expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
      }),
      { numRuns: 300 },
    );
  });

  it("commentText: a `//` comment of any text stays one comment and adds no code", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const sf = ts.createSourceFile("x.ts", `// ${commentText(s)}\nconst v = 1;\n`, ts.ScriptTarget.ES2022, true);
        expect(sf.statements.length).toBe(1);
        expect(sf.text.split("\n").length).toBe(3);
        expect(commentText(s)).not.toContain("*/");
      }),
      { numRuns: 300 },
    );
  });

  // (new Function evaluates the writers' own output: that is what the program will run.)
  it("renderValue: nested values evaluate back to the same data; refs stay names", () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (v) => {
        const text = renderValue(v as Parameters<typeof renderValue>[0]);
        expect(parseExpression(text).errors).toBe(0);
        expect(new Function(`return (${text});`)()).toEqual(v);
      }),
      { numRuns: 200 },
    );
    expect(renderValue({ data: new Ref("data"), train: new Ref("mixture") })).toBe("{ data, train: mixture }");
  });
});

// A path (and an output dir, and the file name itself) built to break out of a string,
// a template, a line comment and a block comment, in the language's own escapes.
const EVIL_SRC = String.raw`ev\"il\\\"; process.exit(7); //\n${"$"}{process.exit(8)}*/ /* \u{2028}x = 1\u{2029}\u{202e}\u{2066}'q${"`"}t${"`"}\r\t\u{0}.npz`;
const EVIL_FILE = "evil\n*/ process.exit(9); /*\u2028.adainf";

function pipelineText(generatedPath: string, outDir: string): string {
  return `pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    generated = npz("${generatedPath}", size = 100, channels = rgb, fid = 10)
    eval = cifar10("datasets/cifar10", split = test)
  }
  inflate {
    real x 1
    generated x 1
  }
  output { dir = "${outDir}" }
}
`;
}

/** The block comments of a program, found by the TypeScript scanner (not by searching text). */
function blockComments(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, text);
  const found: string[] = [];
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) {
    if (t === ts.SyntaxKind.MultiLineCommentTrivia) found.push(scanner.getTokenText());
  }
  return found;
}

function stringProperty(file: SourceFile, constName: string, key: string): string {
  const init = file.getVariableDeclarationOrThrow(constName).getInitializerIfKindOrThrow(SyntaxKind.ObjectLiteralExpression);
  const prop = init.getPropertyOrThrow(key);
  if (!Node.isPropertyAssignment(prop)) throw new Error(`${constName}.${key} is not a property assignment`);
  return prop.getInitializerIfKindOrThrow(SyntaxKind.StringLiteral).getLiteralValue();
}

describe("compile --target ts: a hostile path cannot inject code", () => {
  it("every hostile value round-trips through the TypeScript parser as the same string, and no statement is added", async () => {
    const proj = project({ [EVIL_FILE]: pipelineText(EVIL_SRC, `runs/${EVIL_SRC}`), "plain.adainf": pipelineText("gen.npz", "runs/p") });
    const ir = compileFileSync(EVIL_FILE, { cwd: proj }).pipelines[0]!.ir;
    const evil = ir.data.sources[1]!.path!;
    // the test exercises what it claims to
    for (const piece of ['"', "\\", "\n", "\r", "${", "*/", "/*", "`", "'", "\u2028", "\u2029", "\u202e", "\u2066", "\0"]) expect(evil).toContain(piece);

    await emitTs(EVIL_FILE, "evil-out", proj);
    await emitTs("plain.adainf", "plain-out", proj);
    const text = readFileSync(join(proj, "evil-out", "p.ts"), "utf8");
    const plain = readFileSync(join(proj, "plain-out", "p.ts"), "utf8");
    const file = parseProgram(text);
    const reference = parseProgram(plain);

    expect(file.getPreEmitDiagnostics().filter((d) => d.getCategory() === 1 && d.getCode() < 2000)).toEqual([]);
    // same statements, same kinds, same consts as the harmless pipeline
    expect(file.getStatements().map((s) => s.getKindName())).toEqual(reference.getStatements().map((s) => s.getKindName()));
    expect(constNames(file)).toEqual(constNames(reference));
    // the values read back exactly
    expect(stringProperty(file, "generatedSource", "path")).toBe(evil);
    expect(stringProperty(file, "output", "dir")).toBe(ir.output.dir);
    expect(stringProperty(file, "pipeline", "file")).toBe(ir.file);
    expect(ir.file).toBe(EVIL_FILE);
    // nothing invisible or line-breaking outside escapes
    expect(text).not.toMatch(/[\r\0\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    // block comments are only the run section's doc comments, as in the harmless program
    expect(blockComments(text)).toEqual(blockComments(plain));
    // and running it (up to the pipeline) gives the compiled IR: no process.exit fired
    expect(await pipelineValue(text)).toEqual(ir);
    // it still type-checks
    expect(typeErrors(join(proj, "evil-out"))).toEqual([]);
  });
});
