/**
 * How a catalogue entry is made. Each entry is one message: a kind code (E001–E014, the
 * codes gradc has always given), a unique stable id (snake_case, the constructor's name),
 * a message template and an example, from which `gradc reference --errors` writes
 * docs/errors.md. Call sites pass the facts (names, types, sizes); only the catalogue
 * writes words. Calling an entry throws the GradcError.
 */
import { GradcError, type Code, type Span } from "./index.js";

/** The facts a message is made of: strings and numbers, or lists of names. */
export type Arg = string | number | readonly string[];
export type Args = Readonly<Record<string, Arg>>;

interface EntryInfo<A extends Args> {
  readonly code: Code;
  readonly id: string;
  /** whether the error points into a .graph file (a span), or is about a flag, a file or the command */
  readonly located: boolean;
  readonly render: (a: A) => string;
  readonly example: A;
}

/** A catalogue entry as the docs see it, whatever its arguments. */
export interface Entry {
  readonly code: Code;
  readonly id: string;
  readonly located: boolean;
  /** the message with each argument as {name} */
  pattern(): string;
  /** the message for the example arguments */
  sample(): string;
}

export type At<A extends Args> = ((span: Span | undefined, a: A) => never) & { readonly entry: Entry };
export type AtFixed = ((span?: Span) => never) & { readonly entry: Entry };
export type Plain<A extends Args> = ((a: A) => never) & { readonly entry: Entry };
export type PlainFixed = (() => never) & { readonly entry: Entry };

function describe<A extends Args>(info: EntryInfo<A>): Entry {
  const holes = Object.fromEntries(
    Object.entries(info.example).map(([k, v]) => [k, Array.isArray(v) ? [`{${k}}`] : `{${k}}`]),
  ) as unknown as A;
  return { code: info.code, id: info.id, located: info.located, pattern: () => info.render(holes), sample: () => info.render(info.example) };
}

function raise(code: Code, id: string, message: string, span: Span | undefined): never {
  throw new GradcError(span ? { code, id, message, span } : { code, id, message });
}

/** An error at a place in a .graph file. */
export function at<A extends Args>(code: Code, id: string, render: (a: A) => string, example: NoInfer<A>): At<A> {
  const make = (span: Span | undefined, a: A): never => raise(code, id, render(a), span);
  return Object.assign(make, { entry: describe({ code, id, located: true, render, example }) });
}

/** An error at a place in a .graph file, with a message that has no variable part. */
export function atFixed(code: Code, id: string, message: string): AtFixed {
  const make = (span?: Span): never => raise(code, id, message, span);
  return Object.assign(make, { entry: describe({ code, id, located: true, render: () => message, example: {} }) });
}

/** An error about the command line, a file or the environment: no place in a .graph file. */
export function plain<A extends Args>(code: Code, id: string, render: (a: A) => string, example: NoInfer<A>): Plain<A> {
  const make = (a: A): never => raise(code, id, render(a), undefined);
  return Object.assign(make, { entry: describe({ code, id, located: false, render, example }) });
}

/** A message with no place and no variable part. */
export function plainFixed(code: Code, id: string, message: string): PlainFixed {
  const make = (): never => raise(code, id, message, undefined);
  return Object.assign(make, { entry: describe({ code, id, located: false, render: () => message, example: {} }) });
}

// each entry is declared with its type (At<…>, Plain<…>): TypeScript treats a call as one that
// never returns, narrowing what follows, only through a name of an explicitly typed function

/** "1 argument", "2 arguments" */
export const count = (n: number, word: string): string => `${n} ${word}${Number(n) === 1 ? "" : "s"}`;
