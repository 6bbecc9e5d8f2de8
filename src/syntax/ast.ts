// The abstract syntax of .adainf files. Deliberately generic (statements and
// expressions, not one node type per block): the meaning of `train { ... }` or
// `lars(...)` is given by the resolver's specs, so the parser, the formatter and
// the error recovery stay small and uniform. Every node carries its span.
import type { Span } from "../ir/types.js";

export interface NameNode {
  text: string;
  span: Span;
}

export interface PathNode {
  parts: NameNode[];
  /** Dotted text, `color_jitter.p`. */
  text: string;
  span: Span;
}

export interface UseDecl {
  kind: "use";
  /** `use std.augment.symmetric` -> ["std", "augment", "symmetric"]. */
  path: PathNode | null;
  /** `use "./common.adainf"` -> the string. */
  file: { value: string; span: Span } | null;
  alias: NameNode | null;
  span: Span;
}

export type DeclKind = "pipeline" | "recipe" | "augment" | "dataset";

export interface Decl {
  kind: "decl";
  declKind: DeclKind;
  name: NameNode;
  /** `pipeline p from simclr { ... }`, `from c.base` (a recipe of a file imported `as c`) */
  base: PathNode | null;
  /** Either a body ... */
  body: Block | null;
  /** ... or `= expr` (`augment weak = symmetric with { ... }`). */
  value: Expr | null;
  span: Span;
}

export type TopLevel = UseDecl | Decl;

export interface Block {
  statements: Statement[];
  span: Span;
}

export interface Statement {
  key: PathNode;
  /** `key = value` */
  value: Expr | null;
  /** `knn(k = 200)` */
  args: Args | null;
  /** `view v1 { ... }` */
  label: NameNode | null;
  labelQuoted: boolean;
  /** `real x 10`, `view x 2 { ... }` */
  count: Expr | null;
  block: Block | null;
  span: Span;
}

export interface Arg {
  name: NameNode | null;
  value: Expr;
  span: Span;
}

export interface Args {
  items: Arg[];
  span: Span;
}

interface ExprBase {
  /** `10 steps` */
  unit: NameNode | null;
  /** `symmetric with { color_jitter.p = 0.5 }` */
  with: Block | null;
  span: Span;
}

export interface NumberExpr extends ExprBase {
  kind: "number";
  value: number;
  /** The literal as written (`100_000`, `1e-4`), kept by the formatter. */
  raw: string;
}
export interface RangeExpr extends ExprBase {
  kind: "range";
  lo: { value: number; raw: string };
  hi: { value: number; raw: string };
}
export interface StringExpr extends ExprBase {
  kind: "string";
  value: string;
  raw: string;
}
export interface CallExpr extends ExprBase {
  kind: "call";
  callee: PathNode;
  /** null for a bare name (`symmetric`, `cifar`, `true`). */
  args: Args | null;
  /**
   * Only on a bare (dotted) name given as a `--set` value (`--set output.dir=out`): the
   * word as typed, read as a string where a string is expected (docs/language.md).
   */
  setWord?: string;
}
export interface TupleExpr extends ExprBase {
  kind: "tuple";
  items: Expr[];
}
export interface ListExpr extends ExprBase {
  kind: "list";
  items: Expr[];
}

export type Expr = NumberExpr | RangeExpr | StringExpr | CallExpr | TupleExpr | ListExpr;

export interface Comment {
  text: string;
  span: Span;
}

export interface SourceFile {
  file: string;
  text: string;
  items: TopLevel[];
  comments: Comment[];
}
