/**
 * One catalogue of user-facing errors. Every phase reports a mistake in a `.graph`
 * file by throwing a GradcError that carries a Diagnostic: a code, a message and a
 * span. The CLI formats it as `FILE:LINE:COL: error: MESSAGE`, the source line and a
 * caret — never a stack trace. Anything else that escapes is our bug ("internal error").
 */

export interface Source {
  readonly file: string;
  readonly text: string;
}

/** A half-open range of a source text, 1-based line and column. */
export interface Span {
  readonly source: Source;
  readonly line: number;
  readonly col: number;
  /** length in characters on that line (at least 1) */
  readonly length: number;
}

export interface Diagnostic {
  /** the kind of mistake, E001–E014 (the `codes` below) */
  readonly code: string;
  /** which message of the catalogue (src/diagnostics/errors.ts) it is: stable, unique, snake_case */
  readonly id: string;
  readonly message: string;
  readonly span?: Span;
}

export class GradcError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = "GradcError";
  }
}

/**
 * Kind codes, one per kind of mistake; each message of the catalogue (errors.ts) has one of
 * them and an id of its own. They have not changed since gradc 1: a kind is split by id, never
 * renumbered.
 */
export const codes = {
  syntax: "E001",
  unknownName: "E002",
  unknownFunction: "E003",
  redefinition: "E004",
  arguments: "E005",
  type: "E006",
  shape: "E007",
  loss: "E008",
  grad: "E009",
  value: "E010",
  limit: "E011",
  cli: "E012",
  io: "E013",
  export: "E014",
} as const;

export type Code = (typeof codes)[keyof typeof codes];

export function formatDiagnostic(d: Diagnostic): string {
  if (!d.span) return `gradc: error: ${d.message}`;
  const { source, line, col, length } = d.span;
  const head = `${source.file}:${line}:${col}: error: ${d.message}`;
  const text = source.text.split(/\r?\n/)[line - 1] ?? "";
  // keep very long lines readable: show a window around the column
  const start = text.length > 160 ? Math.max(0, col - 80) : 0;
  // control characters (a binary file's bytes) are shown as a visible mark, not echoed
  const shown = text.slice(start, start + 160).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "\ufffd");
  const gutter = `${String(line).padStart(4)} | `;
  // the caret's indent repeats the line's tabs, so it sits under the column on any tab width
  const indent = shown.slice(0, Math.max(0, col - 1 - start)).replace(/[^\t]/g, " ");
  const caretPad = " ".repeat(gutter.length - 2) + "| " + indent;
  const caret = "^" + "~".repeat(Math.max(0, Math.min(length, shown.length - (col - 1 - start)) - 1));
  return `${head}\n${gutter}${shown}\n${caretPad}${caret}`;
}

/** Span from a character offset. */
export function spanAt(source: Source, offset: number, length = 1): Span {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.text.length; i++) {
    if (source.text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { source, line, col: offset - lineStart + 1, length: Math.max(1, length) };
}
