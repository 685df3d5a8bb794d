/**
 * Tokens of the `.graph` language. Newlines end statements except inside ( or [,
 * where a statement continues; `#` starts a comment to the end of the line.
 */
import type { Source, Span } from "../diagnostics/index.js";
import * as errors from "../diagnostics/errors.js";

export type TokenKind = "name" | "num" | "punct" | "newline" | "eof";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly span: Span;
}

const PUNCT = new Set(["(", ")", "[", "]", ",", "=", ":", "~", "+", "-", "*", "/", "@", "^", "."]);
const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{Nd}\p{Mn}\p{Mc}_]/u;
const NUMBER = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?/y;

/** The end of a number starting at i, or undefined if none starts there. */
function scanNumber(text: string, i: number): number | undefined {
  const c = text[i]!;
  if (!/[0-9.]/.test(c) || (c === "." && !/[0-9]/.test(text[i + 1] ?? ""))) return undefined;
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(text);
  return m ? i + m[0].length : undefined;
}

/** The end of the name starting at i (names may hold any Unicode letter). */
function scanName(text: string, i: number): number {
  let j = i + String.fromCodePoint(text.codePointAt(i)!).length;
  while (j < text.length) {
    const next = String.fromCodePoint(text.codePointAt(j)!);
    if (!NAME_PART.test(next)) break;
    j += next.length;
  }
  return j;
}

/** Tracks ( and [ so that a statement continues while one is open, and checks the pairs. */
function bracket(token: Token, open: Token[]): Token {
  const c = token.text;
  if (c === "(" || c === "[") open.push(token);
  if (c === ")" || c === "]") {
    const opener = open.pop();
    if (!opener) errors.unmatchedCloser(token.span, { closer: c });
    if ((opener.text === "(") !== (c === ")")) errors.mismatchedBracket(token.span, { closer: c, opener: opener.text, line: opener.span.line, col: opener.span.col });
  }
  return token;
}

export function lex(source: Source): Token[] {
  const text = source.text;
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  const open: Token[] = [];
  let i = 0;
  const span = (start: number, length: number): Span => ({ source, line, col: start - lineStart + 1, length });
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      if (open.length === 0) tokens.push({ kind: "newline", text: "\n", span: span(i, 1) });
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\uFEFF") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    const num = scanNumber(text, i);
    if (num !== undefined) {
      if (NAME_PART.test(text[num] ?? "") && !/\d/.test(text[num] ?? "")) errors.nameStartsWithDigit(span(i, num - i + 1));
      tokens.push({ kind: "num", text: text.slice(i, num), span: span(i, num - i) });
      i = num;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    if (NAME_START.test(ch)) {
      const end = scanName(text, i);
      tokens.push({ kind: "name", text: text.slice(i, end), span: span(i, end - i) });
      i = end;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push(bracket({ kind: "punct", text: c, span: span(i, 1) }, open));
      i++;
      continue;
    }
    // a character that cannot be seen (a control character, a space of another kind) is named by its code point
    const shown = /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) ? `'${ch}'` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    errors.unexpectedCharacter(span(i, ch.length), { shown });
  }
  const unclosed = open.pop();
  if (unclosed) errors.neverClosed(unclosed.span, { opener: unclosed.text });
  tokens.push({ kind: "newline", text: "\n", span: span(i, 1) });
  tokens.push({ kind: "eof", text: "", span: span(i, 1) });
  return tokens;
}
