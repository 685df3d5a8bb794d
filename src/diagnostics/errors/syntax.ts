/** E001 syntax and E011 limits: the lexer, the parser, and what no graph may exceed. */
import { type At, type AtFixed, at, atFixed } from "../catalogue.js";
import { codes } from "../index.js";

const S = codes.syntax;
const L = codes.limit;

export const unmatchedCloser: At<{ closer: string }> = at(S, "unmatched_closer", (a) => `unmatched '${a.closer}'`, { closer: ")" });

export const mismatchedBracket: At<{ closer: string; opener: string; line: number; col: number }> = at(
  S,
  "mismatched_bracket",
  (a) => `'${a.closer}' does not match '${a.opener}' at ${a.line}:${a.col}`,
  { closer: "]", opener: "(", line: 2, col: 8 },
);

export const neverClosed: At<{ opener: string }> = at(S, "never_closed", (a) => `'${a.opener}' is never closed`, { opener: "(" });

export const nameStartsWithDigit: AtFixed = atFixed(S, "name_starts_with_digit", "a name cannot start with a digit");

/** `shown` is the character quoted, or its code point (U+0001) when it cannot be seen */
export const unexpectedCharacter: At<{ shown: string }> = at(S, "unexpected_character", (a) => `unexpected character ${a.shown}`, { shown: "'$'" });

/** `found` names a token as the parser describes it: 'a', the end of the line, the end of the file */
export const expectedEndOfStatement: At<{ found: string }> = at(
  S,
  "expected_end_of_statement",
  (a) => `expected the end of the statement, found ${a.found}`,
  { found: "'b'" },
);

export const expectedStatement: At<{ found: string }> = at(S, "expected_statement", (a) => `expected a statement, found ${a.found}`, { found: "'+'" });

/** `hint` is a did-you-mean for a misspelt statement word, or "" */
export const expectedAssignment: At<{ name: string; hint: string }> = at(
  S,
  "expected_assignment",
  (a) => `expected '=' after '${a.name}', or a statement word${a.hint}`,
  { name: "ouptut", hint: " (did you mean 'output'?)" },
);

export const expectedWrt: At<{ of: string; found: string; hint: string }> = at(
  S,
  "expected_wrt",
  (a) => `expected 'wrt' after 'grad ${a.of}', found ${a.found}${a.hint}`,
  { of: "y", found: "'wtr'", hint: " (did you mean 'wrt'?)" },
);

export const paramNeedsValue: At<{ name: string; found: string }> = at(
  S,
  "param_needs_value",
  (a) => `param ${a.name} needs '= VALUE' or '~ INIT', found ${a.found}`,
  { name: "W", found: "the end of the line" },
);

export const expectedTranspose: AtFixed = atFixed(S, "expected_transpose", "expected 'T' after '.' (x.T transposes x)");

export const expectedExpression: At<{ found: string }> = at(S, "expected_expression", (a) => `expected an expression, found ${a.found}`, {
  found: "the end of the line",
});

/** `what` is the token or word the parser needed at that point */
export const expected: At<{ what: string; found: string }> = at(S, "expected", (a) => `expected ${a.what}, found ${a.found}`, {
  what: "')'",
  found: "'='",
});

export const asksForNothing: At<{ file: string }> = at(
  S,
  "asks_for_nothing",
  (a) => `${a.file} asks for nothing: add 'output NAME', 'loss NAME' or 'grad NAME wrt X'`,
  { file: "empty.graph" },
);

export const nestedTooDeeply: At<{ max: number }> = at(L, "nested_too_deeply", (a) => `expression nested too deeply (more than ${a.max} levels)`, { max: 500 });

export const callsTooDeep: At<{ fn: string; max: number }> = at(
  L,
  "calls_too_deep",
  (a) => `user functions call each other more than ${a.max} deep here (through ${a.fn}): inline some of them`,
  { fn: "f300", max: 256 },
);

export const expressionTooLong: At<{ max: number }> = at(
  L,
  "expression_too_long",
  (a) => `expression too long or deep (more than ${a.max} operations)`,
  { max: 2000 },
);

const grouped = (n: number | string) => n.toLocaleString("en-US");

export const tensorTooLarge: At<{ what: string; elements: number; limit: number }> = at(
  L,
  "tensor_too_large",
  (a) =>
    `${a.what} would have ${grouped(a.elements)} elements, more than gradc's limit of ${grouped(a.limit)} (2^26) per tensor`,
  { what: "input x", elements: 4294967296, limit: 67108864 },
);
