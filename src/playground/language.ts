/**
 * The `.graph` language for CodeMirror: highlighting (comments, statement words, numbers,
 * built-in functions, operators) and completion of the built-ins and statement words,
 * each with its doc line from the op table — the same text `gradc reference` prints.
 */
import { StreamLanguage, type StringStream } from "@codemirror/language";
import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { KEYWORDS } from "../dsl/parser.js";
import { builtins } from "../ops/index.js";

const WORDS = new Set([...KEYWORDS, "wrt"]);
const TYPES = new Set(["f32", "f64", "i32"]);
const INITS = new Set(["zeros", "ones", "normal", "uniform", "he", "xavier"]);
const NAME = /^[\p{L}_][\p{L}\p{N}_]*/u;

function token(stream: StringStream): string | null {
  if (stream.eatSpace()) return null;
  if (stream.peek() === "#") {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.match(/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/)) return "number";
  const word = stream.match(NAME);
  if (word && typeof word !== "boolean") {
    const w = word[0];
    // a statement word only starts a statement (they are contextual: `loss = …` is a name)
    if (WORDS.has(w) && (stream.string.slice(0, stream.start).trim() === "" || w === "wrt") && !/^\s*=/.test(stream.string.slice(stream.pos))) return "keyword";
    if (TYPES.has(w)) return "typeName";
    if (builtins.has(w) && stream.peek() === "(") return "builtin";
    if (INITS.has(w)) return "atom";
    return "variableName";
  }
  if (stream.match(/^[-+*/^@=~]/)) return "operator";
  stream.next();
  return null;
}

export const graphLanguage = StreamLanguage.define({ name: "graph", token, languageData: { commentTokens: { line: "#" } } });

/** Completions: every built-in with its signature and doc, and the statement words. */
export function completions(): Completion[] {
  const fns = [...builtins.values()].map(
    (b): Completion => ({
      label: b.name,
      type: "function",
      detail: `(${[...b.inputs, ...Object.keys(b.attrs).map((a) => `${a}=`)].join(", ")})`,
      info: b.doc,
      apply: `${b.name}(`,
    }),
  );
  const words = [...WORDS].map((w): Completion => ({ label: w, type: "keyword", info: STATEMENTS[w] }));
  return [...fns, ...words];
}

const STATEMENTS: Record<string, string> = {
  dim: "dim N, M — symbolic dimensions, bound from the shapes of the inputs",
  input: "input NAME: TYPE = VALUE — a value supplied at run time",
  param: "param NAME: TYPE ~ INIT — a trainable tensor",
  const: "const NAME = VALUE — a constant, folded at compile time",
  fn: "fn NAME(a, b) = EXPR — a function, inlined at each call",
  output: "output NAME, … — values the forward pass returns",
  loss: "loss NAME — a scalar to minimise (gradients by every param)",
  grad: "grad NAME wrt A, B — gradients of the scalar NAME as outputs",
  wrt: "grad NAME wrt A, B — the inputs or params to differentiate by",
};

export function completeGraph(context: CompletionContext): CompletionResult | null {
  const word = context.matchBefore(/[\p{L}_][\p{L}\p{N}_]*/u);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  const line = context.state.doc.lineAt(context.pos);
  // nothing to complete inside a comment
  if (line.text.slice(0, context.pos - line.from).includes("#")) return null;
  return { from: word.from, options: completions(), validFor: /^[\p{L}\p{N}_]*$/u };
}
