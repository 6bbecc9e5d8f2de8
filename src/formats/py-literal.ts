// A strict parser for the Python literal that a `.npy` header holds, e.g.
//   {'descr': '<u1', 'fortran_order': False, 'shape': (1000, 32, 32, 3), }
// numpy reads it with ast.literal_eval; we must never evaluate it, so this accepts
// only what a header can contain: dicts, tuples, lists, strings, ints, True/False/None.

export type PyValue =
  | { kind: "str"; value: string }
  | { kind: "int"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "none" }
  | { kind: "tuple"; items: PyValue[] }
  | { kind: "list"; items: PyValue[] }
  | { kind: "dict"; entries: Array<[PyValue, PyValue]> };

export class PyLiteralError extends Error {}

/** How deep containers may nest: a header needs 2 (a dict holding a tuple). */
export const MAX_PY_NESTING = 32;

export function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  let depth = 0; // containers open around pos: bounded so that a hostile header cannot overflow the stack

  const fail = (what: string): never => {
    throw new PyLiteralError(`${what} at character ${pos}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const peek = (): string => text[pos] ?? "";

  const parseSequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    for (;;) {
      skipSpace();
      if (peek() === close) {
        pos++;
        return items;
      }
      items.push(parseValue());
      skipSpace();
      if (peek() === ",") pos++;
      else if (peek() !== close) fail(`expected ',' or '${close}'`);
    }
  };

  const parseValue = (): PyValue => {
    skipSpace();
    if ("{([".includes(peek()) && peek() !== "") {
      if (depth >= MAX_PY_NESTING) fail(`containers nested more than ${MAX_PY_NESTING} deep`);
      depth++;
      try {
        return parseItem();
      } finally {
        depth--;
      }
    }
    return parseItem();
  };

  const parseItem = (): PyValue => {
    const c = peek();
    if (c === "{") {
      pos++;
      const entries: Array<[PyValue, PyValue]> = [];
      for (;;) {
        skipSpace();
        if (peek() === "}") {
          pos++;
          return { kind: "dict", entries };
        }
        const key = parseValue();
        skipSpace();
        if (peek() !== ":") fail("expected ':'");
        pos++;
        entries.push([key, parseValue()]);
        skipSpace();
        if (peek() === ",") pos++;
        else if (peek() !== "}") fail("expected ',' or '}'");
      }
    }
    if (c === "(") {
      pos++;
      const items = parseSequence(")");
      return { kind: "tuple", items };
    }
    if (c === "[") {
      pos++;
      return { kind: "list", items: parseSequence("]") };
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail("unterminated string");
      const value = text.slice(pos + 1, end);
      // numpy never writes escapes in a header; refusing them keeps this parser honest.
      if (value.includes("\\")) fail("escape sequences are not allowed");
      pos = end + 1;
      return { kind: "str", value };
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+L?/.exec(text.slice(pos));
      const digits = m![0].replace("L", ""); // Python 2 numpy wrote longs as `3L`
      pos += m![0].length;
      const value = Number(digits);
      if (!Number.isSafeInteger(value)) fail("integer too large");
      return { kind: "int", value };
    }
    for (const [word, v] of [
      ["True", { kind: "bool", value: true }],
      ["False", { kind: "bool", value: false }],
      ["None", { kind: "none" }],
    ] as const) {
      if (text.startsWith(word, pos) && !/[A-Za-z0-9_]/.test(text[pos + word.length] ?? "")) {
        pos += word.length;
        return v;
      }
    }
    return fail(c === "" ? "unexpected end" : `unexpected '${c}'`);
  };

  const value = parseValue();
  skipSpace();
  if (pos !== text.length) fail("trailing characters");
  return value;
}
