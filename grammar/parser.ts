// The grammar of .adainf files (a railroad diagram is generated from it into
// grammar/diagram.html; test/grammar/diagram.test.ts checks that it is current).
//
//   file      := (useDecl | decl)*
//   useDecl   := "use" (Name ("." Name)* | String) ("as" Name)?
//   decl      := DeclKeyword Name ("from" path)? (block | "=" expr)
//   block     := "{" (statement | ";")* "}"     -- a ";" may end a statement; extra ones are empty;
//                                                  a statement never starts with "with"
//   statement := path ("=" expr | args? label? count? block?)
//   label     := Name | String          -- only before "{" or a count
//   count     := ("x" | "*") expr
//   expr      := value unit? ("with" block)?
//   value     := "-"? Number (".." "-"? Number)? | String | call | tuple | list
//   call      := path args?
//   args      := "(" (arg ("," arg)* ","?)? ")"      arg := (Name "=")? expr
//
// No separators are needed between statements: a statement always starts with a
// name and no expression can be followed by a bare name, except for a unit, which
// is only taken when it does not start the next statement (`steps = ...`).
import type { CstNode, IRecognitionException, IToken } from "chevrotain";
import { chevrotain } from "./chevrotain.js";
import * as T from "./tokens.js";

export class AdainfParser extends chevrotain.CstParser {
  /**
   * `validate` runs chevrotain's grammar checks (ambiguities, left recursion); they
   * cost start-up time on every CLI run, so the shared instance skips them and
   * test/grammar/diagram.test.ts builds a validated parser instead.
   */
  constructor(opts: { validate?: boolean } = {}) {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      nodeLocationTracking: "full",
      skipValidations: !opts.validate,
    });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.useDecl) }, { ALT: () => this.SUBRULE(this.decl) }]);
    });
  });

  useDecl = this.RULE("useDecl", () => {
    this.CONSUME(T.Use);
    this.OR([{ ALT: () => this.SUBRULE(this.path) }, { ALT: () => this.CONSUME(T.StringLit) }]);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Name, { LABEL: "alias" });
    });
  });

  decl = this.RULE("decl", () => {
    this.CONSUME(T.DeclKeyword, { LABEL: "kind" });
    this.CONSUME(T.Name, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.From);
      this.SUBRULE(this.path, { LABEL: "base" });
    });
    this.OR([
      { ALT: () => this.SUBRULE(this.block) },
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expr);
        },
      },
    ]);
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      // `with` starts no statement: after a value it is the value's with-block on any
      // line, so `a = 1; with {}` would mean another thing once `with` began a line.
      this.OR([{ GATE: () => this.LA(1).tokenType !== T.With, ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(T.Semi) }]);
    });
    this.CONSUME(T.RBrace);
  });

  statement = this.RULE("statement", () => {
    this.SUBRULE(this.path, { LABEL: "key" });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expr);
        },
      },
      {
        ALT: () => {
          this.OPTION(() => this.SUBRULE(this.args));
          this.OPTION2({
            GATE: () => this.isLabel(),
            DEF: () => this.OR2([{ ALT: () => this.CONSUME(T.Name, { LABEL: "label" }) }, { ALT: () => this.CONSUME(T.StringLit, { LABEL: "label" }) }]),
          });
          this.OPTION3(() => {
            this.CONSUME(T.Times);
            this.SUBRULE2(this.expr, { LABEL: "count" });
          });
          this.OPTION4(() => this.SUBRULE(this.block));
        },
      },
    ]);
  });

  expr = this.RULE("expr", () => {
    this.SUBRULE(this.value);
    this.OPTION({
      GATE: () => this.isUnit(),
      DEF: () => this.CONSUME(T.Unit),
    });
    this.OPTION2(() => {
      this.CONSUME(T.With);
      this.SUBRULE(this.block);
    });
  });

  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.number) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.SUBRULE(this.tuple) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  number = this.RULE("number", () => {
    this.SUBRULE(this.signedNumber, { LABEL: "lo" });
    this.OPTION(() => {
      this.CONSUME(T.Range);
      this.SUBRULE2(this.signedNumber, { LABEL: "hi" });
    });
  });

  signedNumber = this.RULE("signedNumber", () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLit);
  });

  call = this.RULE("call", () => {
    this.SUBRULE(this.path);
    this.OPTION(() => this.SUBRULE(this.args));
  });

  args = this.RULE("args", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY({
        GATE: () => this.LA(2).tokenType !== T.RParen,
        DEF: () => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.arg);
        },
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  arg = this.RULE("arg", () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Equals,
      DEF: () => {
        this.CONSUME(T.Name, { LABEL: "argName" });
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.expr);
  });

  tuple = this.RULE("tuple", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expr);
    });
    this.CONSUME(T.RParen);
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY({
        GATE: () => this.LA(2).tokenType !== T.RBracket,
        DEF: () => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.expr);
        },
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  path = this.RULE("path", () => {
    this.CONSUME(T.Name);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Name);
    });
  });

  /**
   * A name or string after a statement's key is its label only on the same line and
   * only before `{` or a count, so `generate` + newline + `d x 1` stays two statements.
   */
  private isLabel(): boolean {
    if (!this.sameLine()) return false;
    const next = this.LA(1).tokenType;
    if (next !== T.StringLit && !isName(next)) return false;
    const after = this.LA(2).tokenType;
    return after === T.LBrace || after === T.Times;
  }

  /** The next token starts on the line where the previous one ended. */
  private sameLine(): boolean {
    const prev = this.LA(0);
    const next = this.LA(1);
    return prev.endLine === undefined || next.startLine === undefined || prev.endLine === next.startLine;
  }

  /** `10 steps` but not `... 10` followed by the statement `steps = 100`. */
  private isUnit(): boolean {
    if (!this.sameLine()) return false;
    const after = this.LA(2).tokenType;
    return after !== T.Equals && after !== T.LParen && after !== T.LBrace && after !== T.Dot;
  }
}

function isName(t: import("chevrotain").TokenType): boolean {
  return t === T.Name || (t.CATEGORIES ?? []).includes(T.Name);
}

export const parserInstance = new AdainfParser();

export interface ParseOutput {
  cst: CstNode;
  tokens: IToken[];
  comments: IToken[];
  lexErrors: { offset: number; line: number; column: number; length: number; message: string }[];
  parseErrors: IRecognitionException[];
  /** The first bracket opened beyond MAX_NESTING (the file is then not parsed). */
  tooDeep: IToken | null;
}

/**
 * How deep brackets ( [ { may nest. The parser and everything after it recurse once
 * per level, so a file nested thousands deep would overflow the stack; no pipeline
 * needs more than a handful of levels.
 */
export const MAX_NESTING = 64;

/** The first opening bracket past MAX_NESTING, or null; one pass, no recursion. */
export function firstTooDeep(tokens: readonly IToken[]): IToken | null {
  let depth = 0;
  for (const t of tokens) {
    const k = t.tokenType;
    if (k === T.LParen || k === T.LBracket || k === T.LBrace) {
      if (++depth > MAX_NESTING) return t;
    } else if (k === T.RParen || k === T.RBracket || k === T.RBrace) {
      depth = Math.max(0, depth - 1);
    }
  }
  return null;
}

export function parseText(text: string): ParseOutput {
  const lexed = T.adainfLexer.tokenize(text);
  const tooDeep = firstTooDeep(lexed.tokens);
  parserInstance.input = tooDeep ? [] : lexed.tokens;
  const cst = parserInstance.file();
  return {
    cst,
    tokens: lexed.tokens,
    comments: lexed.groups["comments"] ?? [],
    lexErrors: lexed.errors.map((e) => ({
      offset: e.offset,
      line: e.line ?? 1,
      column: e.column ?? 1,
      length: e.length,
      message: e.message,
    })),
    parseErrors: [...parserInstance.errors],
    tooDeep,
  };
}
