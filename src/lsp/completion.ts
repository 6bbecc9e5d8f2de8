// Completion at a position: the keys a block takes (blocks of a pipeline body, fields
// with their defaults, builtin slots), the values a key takes (enum values, builtin calls
// with their parameters as a snippet, preset and recipe names visible from the file:
// its own, its imports', the stdlib's), rule ids in `lint { allow(...) }`. Which block
// and key the position is in comes from the tokens (./scan.ts), so half-written
// statements complete too; the names come from the definition (ir/builtins.ts).
import { type CompletionItem, CompletionItemKind, InsertTextFormat, MarkupKind } from "vscode-languageserver";
import * as B from "../ir/builtins.js";
import { type Block, langParams } from "../ir/define.js";
import { typeText } from "../ir/builtin-docs.js";
import { ALL_RULES } from "../lint/rules/index.js";
import type { LoadedFile, Program } from "../resolve/program.js";
import { localDecls } from "../resolve/program.js";
import type { DeclKind } from "../syntax/ast.js";
import { declMarkdown } from "./hover.js";
import { builtinMarkdown, defaultText, fieldMarkdown, fieldValues, keyPath, type Scope, scopeOf, type Slot, slotOf } from "./language.js";
import { cursorAt, dataSourcesAt, enclosingPipeline, equalsAt, inComment, names } from "./scan.js";
import { ofPipeline } from "./workspace.js";

export interface CompletionInput {
  text: string;
  offset: number;
  program: Program;
  file: LoadedFile | null;
  /**
   * The data sources of each pipeline (inherited ones too), by IR name, from the last of the
   * document's analyses that compiled it: text being written does not compile, and
   * completion still knows what the pipeline inherits.
   */
  sources?: ReadonlyMap<string, string[]>;
}

/** Data source names at the position: the declaration's own `data` block as written, and the compiled pipeline's (inherited ones too). */
function sourceNames(input: CompletionInput): string[] {
  const name = enclosingPipeline(cursorAt(input.text, input.offset).frames);
  const compiled = name && input.sources ? (ofPipeline(input.sources, name) ?? []) : [];
  return [...new Set([...dataSourcesAt(input.text, input.offset), ...compiled])];
}

export interface Completions {
  items: CompletionItem[];
  /** Where the text the items replace starts (the word being typed). */
  from: number;
}

const md = (value: string) => ({ kind: MarkupKind.Markdown, value });

function snippet(label: string, insert: string, kind: CompletionItemKind, detail?: string, doc?: string): CompletionItem {
  const item: CompletionItem = { label, kind, insertText: insert, insertTextFormat: InsertTextFormat.Snippet };
  if (detail) item.detail = detail;
  if (doc) item.documentation = md(doc);
  return item;
}

/** `${n:text}` with `$`, `}` and `\` escaped. */
const placeholder = (n: number, text: string) => `\${${n}:${text.replace(/[$}\\]/g, "\\$&")}}`;

/** A value's snippet: enum values as a choice, strings quoted, the default as the placeholder. */
function valueSnippet(block: Block, lang: string, n: number): string {
  const p = langParams(block.fields).find((x) => x.lang === lang)!;
  const values = fieldValues(p.field);
  if (values.length > 1) return `\${${n}|${values.join(",")}|}`;
  const def = defaultText(p.field);
  if (p.field.type.kind === "string") return `"${placeholder(n, def === null ? lang : JSON.parse(def))}"`;
  return placeholder(n, def ?? lang);
}

/** `lars(lr = ${1:lr})`: a call with its positional and required parameters. */
function callItem(b: Block, what: string, name = b.name): CompletionItem {
  const params = langParams(b.fields);
  const positional = params.filter((p) => p.field.position !== undefined).sort((x, y) => x.field.position! - y.field.position!);
  const required = params.filter((p) => p.field.default === undefined && p.field.position === undefined);
  let n = 0;
  const args = [...positional.map((p) => valueSnippet(b, p.lang, ++n)), ...required.map((p) => `${p.lang} = ${valueSnippet(b, p.lang, ++n)}`)];
  const all = params.map((p) => p.lang).join(", ");
  return snippet(name, `${name}(${args.join(", ")})$0`, CompletionItemKind.Function, `${what}(${all})`, builtinMarkdown(b, what));
}

/** `batch_size = 256` for a field of `block`. */
function fieldItem(block: Block, lang: string): CompletionItem {
  const p = langParams(block.fields).find((x) => x.lang === lang)!;
  const item = snippet(
    lang,
    `${lang} = ${valueSnippet(block, lang, 1)}`,
    CompletionItemKind.Field,
    typeText(p.field.type),
    fieldMarkdown(block, lang, p.field),
  );
  const def = defaultText(p.field);
  if (def !== null) item.labelDetails = { description: `= ${def}` };
  return item;
}

function blockItem(name: string, detail: string): CompletionItem {
  return snippet(name, `${name} {\n\t$0\n}`, CompletionItemKind.Module, detail);
}

function plain(label: string, kind: CompletionItemKind, detail?: string, doc?: string): CompletionItem {
  const item: CompletionItem = { label, kind };
  if (detail) item.detail = detail;
  if (doc) item.documentation = md(doc);
  return item;
}

function ruleItems(suffix: string): CompletionItem[] {
  return ALL_RULES.map((r) => {
    const item = plain(r.meta.id, CompletionItemKind.Constant, `lint rule (${r.meta.defaultSeverity})`, r.meta.docs.summary);
    if (suffix) Object.assign(item, { insertText: `${r.meta.id}${suffix}`, insertTextFormat: InsertTextFormat.Snippet });
    return item;
  });
}

/** Declarations of `kind` visible from the file: its own, its imports', the stdlib's. */
function declItems(input: CompletionInput, kind: DeclKind, callable: boolean): CompletionItem[] {
  const { program, file } = input;
  if (!file) return [];
  return program.visibleNames(file, kind).map((name) => {
    const ref = program.lookup(file, kind, name);
    const doc = ref ? declMarkdown(ref, program) : undefined;
    const detail = `${kind}${ref?.file.isStd ? " (stdlib)" : ref && ref.file !== file ? ` (${ref.file.display})` : ""}`;
    if (callable && kind === "dataset") {
      const item = callItem(B.DATASET_CALL, "dataset", name);
      item.detail = detail;
      if (doc) item.documentation = md(doc);
      return item;
    }
    return plain(name, kind === "recipe" ? CompletionItemKind.Class : CompletionItemKind.Reference, detail, doc);
  });
}

/** The keys a scope takes. */
function keyItems(scope: Scope, input: CompletionInput): CompletionItem[] {
  switch (scope.kind) {
    case "top":
      return [
        snippet("pipeline", "pipeline ${1:name} from ${2:simclr} {\n\t$0\n}", CompletionItemKind.Keyword, "a pipeline"),
        snippet("recipe", "recipe ${1:name} {\n\t$0\n}", CompletionItemKind.Keyword, "a recipe pipelines inherit with `from`"),
        snippet("augment", "augment ${1:name} {\n\tview x 2 {\n\t\t$0\n\t}\n}", CompletionItemKind.Keyword, "an augmentation preset"),
        snippet("dataset", "dataset ${1:name} {\n\t$0\n}", CompletionItemKind.Keyword, "a dataset preset"),
        snippet("use", "use ${1:std.augment}", CompletionItemKind.Keyword, "import a module or file"),
      ];
    case "body":
      return B.PIPELINE_FIELDS.map((k) => {
        if (k === "seed") return fieldItem(B.SEED, "seed");
        if (k === "augment") return snippet("augment", "augment = $0", CompletionItemKind.Module, "a preset, or a block of views", B.AUGMENT.doc);
        return blockItem(k, "block");
      });
    case "fields":
      return [
        ...(scope.block ? langParams(scope.block.fields).map((p) => fieldItem(scope.block!, p.lang)) : []),
        ...Object.keys(scope.calls).map((k) => snippet(k, `${k} = $0`, CompletionItemKind.Property, `${k}: ${Object.keys(scope.calls[k]!).join(", ")}`)),
      ];
    case "evaluate":
      return [
        ...Object.values(B.EVALUATORS).map((e) => callItem(e, "evaluator")),
        snippet("source", "source = $0", CompletionItemKind.Property, "the evaluation source"),
      ];
    case "inflate":
      return sourceNames(input).map((n) => snippet(n, `${n} x \${1:1}`, CompletionItemKind.Variable, "data source"));
    case "views":
      return [
        snippet("view x 2", "view x ${1:2} {\n\t$0\n}", CompletionItemKind.Module, "identical views"),
        snippet("view", "view ${1:name} {\n\t$0\n}", CompletionItemKind.Module, "a named view"),
      ];
    case "ops":
      return Object.values(B.AUGMENT_OPS).map((op) => callItem(op, "augmentation op"));
    case "augmentWith":
      return [
        fieldItem(B.AUGMENT, "strength"),
        ...Object.values(B.AUGMENT_OPS).flatMap((op) =>
          langParams(op.fields).map((p) => ({
            ...fieldItem(op, p.lang),
            label: `${op.name}.${p.lang}`,
            insertText: `${op.name}.${p.lang} = ${valueSnippet(op, p.lang, 1)}`,
          })),
        ),
      ];
    case "args":
      return langParams(scope.block.fields).map((p) => fieldItem(scope.block, p.lang));
    case "lint":
      return [
        snippet("allow", "allow($1)", CompletionItemKind.Keyword, "turn rules off"),
        snippet("deny", "deny($1)", CompletionItemKind.Keyword, "make rules errors"),
        ...ruleItems(` = \${1|${B.RULE_SEVERITIES.join(",")}|}`),
      ];
    case "rules":
      return ruleItems("");
    case "sweep":
      return [
        snippet("axis", "axis ${1:name} {\n\t${2:value} {\n\t\t$0\n\t}\n}", CompletionItemKind.Module, "named alternatives"),
        snippet("seed", "seed = [${1:0, 1, 2}]", CompletionItemKind.Field, "one point per seed"),
        snippet("augment.strength", "augment.strength = [${1:0.5, 1, 1.5}]", CompletionItemKind.Field, "one point per strength"),
        snippet("augment", "augment = [${1:symmetric, symmetric_adainf}]", CompletionItemKind.Field, "one point per preset"),
      ];
    default:
      return [];
  }
}

/** The values a key takes. */
function valueItems(slot: Slot | null, input: CompletionInput): CompletionItem[] {
  switch (slot?.kind) {
    case "field": {
      const values = fieldValues(slot.field).map((v) => plain(v, CompletionItemKind.EnumMember, typeText(slot.field.type)));
      const def = defaultText(slot.field);
      if (def !== null && !values.some((v) => v.label === def)) values.push(plain(def, CompletionItemKind.Value, "default"));
      return values;
    }
    case "family":
      return Object.values(slot.family).map((b) => callItem(b, slot.what));
    case "augment":
      return declItems(input, "augment", false);
    case "source":
      return [...declItems(input, "dataset", true), ...Object.values(B.SOURCE_FORMATS).map((b) => callItem(b, "data source"))];
    case "evalSource":
      return sourceNames(input).map((n) => plain(n, CompletionItemKind.Variable, "data source"));
    case "rule":
      return B.RULE_SEVERITIES.map((s) => plain(s, CompletionItemKind.EnumMember, "severity"));
    default:
      return [];
  }
}

/** The keys after a dotted prefix (`train.` -> the train block's keys). */
function subScope(scope: Scope, prefix: readonly string[]): Scope | null {
  const slot = slotOf(scope, prefix);
  if (slot?.kind === "block") return slot.scope;
  if (slot?.kind === "augment") return { kind: "augmentWith" };
  if (slot?.kind === "family") {
    const seen = new Map<string, Block>();
    for (const b of Object.values(slot.family)) if (!seen.has(b.name)) seen.set(b.name, b);
    return { kind: "args", block: [...seen.values()][0]! };
  }
  return null;
}

export function completions(input: CompletionInput): Completions {
  // Nothing inside a comment (a space typed there is a trigger character too).
  if (inComment(input.text, input.offset)) return { items: [], from: input.offset };
  const c = cursorAt(input.text, input.offset);
  const from = c.word ? c.word.startOffset : input.offset;
  const scope = scopeOf(c.frames);
  const stmt = c.stmt;
  const eq = equalsAt(stmt);
  const items = ((): CompletionItem[] => {
    if (scope.kind === "top") {
      const head = stmt[0]?.image;
      if (stmt[stmt.length - 1]?.image === "from") return declItems(input, "recipe", false);
      if (head === "augment" && eq >= 0) return declItems(input, "augment", false);
      if (head === "use") {
        const path = names(stmt.slice(1));
        const modules = input.program.stdModules();
        if (path.length === 0) return modules.map((m) => plain(`std.${m}`, CompletionItemKind.Module, "standard library module"));
        if (path.length === 1 && path[0] === "std") return modules.map((m) => plain(m, CompletionItemKind.Module, "standard library module"));
        if (path.length === 2 && path[0] === "std") {
          const f = input.program.load(`${input.program.stdlibDir}/${path[1]}.adainf`, null);
          return f ? localDecls(f).map((d) => plain(d.name.text, CompletionItemKind.Reference, d.declKind)) : [];
        }
        return [];
      }
      return stmt.length === 0 ? keyItems(scope, input) : [];
    }
    if (scope.kind === "list") return valueItems(scope.slot, input);
    if (eq >= 0) return valueItems(slotOf(scope, keyPath(stmt)), input);
    if (stmt.length > 0 && stmt[stmt.length - 1]!.image === ".") {
      const sub = subScope(scope, names(stmt));
      return sub ? keyItems(sub, input) : [];
    }
    return stmt.length === 0 ? keyItems(scope, input) : [];
  })();
  return { items, from };
}
