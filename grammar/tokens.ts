// The tokens of the .adainf language. Keywords are "soft": they are also accepted
// wherever a name is (a `Name` category), so `augment = symmetric` inside a pipeline
// and `augment symmetric { ... }` at the top level both work.
import type { TokenType } from "chevrotain";
import { chevrotain } from "./chevrotain.js";

const { createToken, Lexer } = chevrotain;

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
  line_breaks: true,
});

/** Any identifier-like word; keywords below are categorised as names too. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA });
// Dashes are allowed inside names (rule ids such as `vanilla-inflation`); the
// language has no arithmetic, so `a-b` can only mean one thing.
export const Ident = createToken({
  name: "Ident",
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
  categories: [Name],
});

function keyword(word: string, extra: TokenType[] = []): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(`${word}(?![A-Za-z0-9_-])`),
    longer_alt: Ident,
    categories: [Name, ...extra],
  });
}

export const DeclKeyword = createToken({ name: "DeclKeyword", pattern: Lexer.NA });
export const Unit = createToken({ name: "Unit", pattern: Lexer.NA });

export const Use = keyword("use");
export const As = keyword("as");
export const From = keyword("from");
export const With = keyword("with");
export const Pipeline = keyword("pipeline", [DeclKeyword]);
export const Recipe = keyword("recipe", [DeclKeyword]);
export const Augment = keyword("augment", [DeclKeyword]);
export const Dataset = keyword("dataset", [DeclKeyword]);
export const Steps = keyword("steps", [Unit]);
export const Step = keyword("step", [Unit]);
export const Epochs = keyword("epochs", [Unit]);
export const Epoch = keyword("epoch", [Unit]);

/** `x` (or `×`) before a count: `real x 10`, `view x 2 { ... }`. */
export const Times = createToken({
  name: "Times",
  pattern: /(?:x(?=[ \t]*[0-9])|×|\*)/,
  longer_alt: Ident,
});

// Digit separators (`100_000`) and exponents (`1e-4`); `0.08..1.0` lexes as
// number, range, number because a fraction needs a digit after its dot. A `_` that is
// not between two digits (`1__000`) still lexes here, so that src/syntax/parse.ts
// reports it as one E001 at the `_`.
export const NumberLit = createToken({
  name: "NumberLit",
  pattern: /[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?/,
});
export const StringLit = createToken({
  name: "StringLit",
  pattern: /"(?:[^"\\\n\r]|\\.)*"/,
});

export const Range = createToken({ name: "Range", pattern: /\.\./ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Semi = createToken({ name: "Semi", pattern: /;/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });

// Order matters: comments before anything starting with '/', Times and keywords
// before Ident, Range before Dot.
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  Times,
  Use,
  As,
  From,
  With,
  Pipeline,
  Recipe,
  Augment,
  Dataset,
  Steps,
  Step,
  Epochs,
  Epoch,
  Ident,
  Name,
  DeclKeyword,
  Unit,
  NumberLit,
  StringLit,
  Range,
  Dot,
  Comma,
  Semi,
  Equals,
  Minus,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
];

// Validations of the token definitions run in the tests (test/grammar), not at every start.
export const adainfLexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false, skipValidations: true });
