/** E002 unknown names, E003 unknown functions, E004 redefinitions, E005 arguments. */
import { type At, type AtFixed, at, atFixed, count } from "../catalogue.js";
import { codes } from "../index.js";

const N = codes.unknownName;
const F = codes.unknownFunction;
const R = codes.redefinition;
const A = codes.arguments;

// `hint` is always a did-you-mean from suggest() in diagnostics/suggest.ts, or ""

export const unknownName: At<{ name: string; hint: string }> = at(N, "unknown_name", (a) => `unknown name '${a.name}'${a.hint}`, {
  name: "aple",
  hint: " (did you mean 'apple'?)",
});

/** `where` is the statement word whose list names it: output, loss, wrt, … */
export const unknownNameIn: At<{ name: string; where: string; hint: string }> = at(
  N,
  "unknown_name_in",
  (a) => `unknown name '${a.name}' in ${a.where}${a.hint}`,
  { name: "xx", where: "wrt", hint: " (did you mean 'x'?)" },
);

export const unknownNameInFn: At<{ name: string; fn: string; hint: string }> = at(
  N,
  "unknown_name_in_fn",
  (a) => `unknown name '${a.name}' in the body of ${a.fn}${a.hint}`,
  { name: "nosuch", fn: "f", hint: "" },
);

export const usedBeforeDefined: At<{ name: string; line: number }> = at(
  N,
  "used_before_defined",
  (a) => `'${a.name}' is used before it is defined (at line ${a.line})`,
  { name: "z", line: 3 },
);

export const usedBeforeDefinedInFn: At<{ name: string; line: number; fn: string }> = at(
  N,
  "used_before_defined_in_fn",
  (a) => `'${a.name}' is used before it is defined (at line ${a.line}): fn ${a.fn} sees only names defined before it`,
  { name: "z", line: 2, fn: "f" },
);

/** a name listed by a statement (output, loss, wrt) that is a dim or a fn */
export const notAValue: At<{ name: string; kind: "dim" | "function" }> = at(N, "not_a_value", (a) => `${a.name} is a ${a.kind}, not a value`, {
  name: "N",
  kind: "dim",
});

export const dimNotAValue: At<{ name: string }> = at(N, "dim_not_a_value", (a) => `${a.name} is a dim (a size), not a value`, { name: "N" });

export const functionNotCalled: At<{ name: string }> = at(N, "function_not_called", (a) => `${a.name} is a function: call it, e.g. ${a.name}(x)`, {
  name: "exp",
});

export const unknownFunction: At<{ name: string; hint: string }> = at(F, "unknown_function", (a) => `unknown function '${a.name}'${a.hint}`, {
  name: "rleu",
  hint: " (did you mean 'relu'?)",
});

export const fnCallsItself: At<{ name: string }> = at(F, "fn_calls_itself", (a) => `unknown function '${a.name}' (a fn cannot call itself)`, { name: "f" });

export const functionUsedBeforeDefined: At<{ name: string; line: number }> = at(
  F,
  "function_used_before_defined",
  (a) => `'${a.name}' is used before it is defined (at line ${a.line})`,
  { name: "g", line: 3 },
);

export const functionUsedBeforeDefinedInFn: At<{ name: string; line: number; fn: string }> = at(
  F,
  "function_used_before_defined_in_fn",
  (a) => `'${a.name}' is used before it is defined (at line ${a.line}): fn ${a.fn} sees only names defined before it`,
  { name: "g", line: 2, fn: "f" },
);

export const alreadyDefined: At<{ name: string; line: number }> = at(R, "already_defined", (a) => `'${a.name}' is already defined at line ${a.line}`, {
  name: "a",
  line: 1,
});

export const duplicateParameter: At<{ name: string }> = at(R, "duplicate_parameter", (a) => `parameter '${a.name}' appears twice`, { name: "x" });

export const duplicateOutput: At<{ name: string }> = at(R, "duplicate_output", (a) => `'${a.name}' is listed as an output twice`, { name: "x" });

export const duplicateLoss: At<{ name: string }> = at(R, "duplicate_loss", (a) => `'${a.name}' is already a loss`, { name: "L" });

export const duplicateGrad: At<{ of: string; wrt: string }> = at(
  R,
  "duplicate_grad",
  (a) => `the gradient of ${a.of} with respect to ${a.wrt} is already asked for`,
  { of: "y", wrt: "x" },
);

/** `usage` is the initializer's signature, e.g. normal(mean, std) */
export const initializerArity: At<{ fn: string; n: number; usage: string }> = at(
  A,
  "initializer_arity",
  (a) => `${a.fn} takes ${count(a.n, "argument")}: ${a.usage}`,
  { fn: "normal", n: 2, usage: "normal(mean, std)" },
);

export const gradArity: AtFixed = atFixed(A, "grad_arity", "grad takes two arguments: grad(L, X), the gradient of the scalar L with respect to X");

export const positionalOnly: At<{ fn: string }> = at(A, "positional_only", (a) => `${a.fn} takes positional arguments only`, { fn: "f" });

export const fnArity: At<{ fn: string; n: number; got: number }> = at(
  A,
  "fn_arity",
  (a) => `${a.fn} takes ${count(a.n, "argument")}, got ${a.got}`,
  { fn: "f", n: 2, got: 1 },
);

const signature = (fn: string, params: readonly string[]) => `${fn}(${params.join(", ")})`;

/** `n` is how many `params` there are */
export const tooManyArguments: At<{ fn: string; n: number; params: readonly string[] }> = at(
  A,
  "too_many_arguments",
  (a) => `${a.fn} takes at most ${count(a.n, "argument")}: ${signature(a.fn, a.params)}`,
  { fn: "exp", n: 1, params: ["x"] },
);

export const noSuchArgument: At<{ fn: string; name: string; params: readonly string[] }> = at(
  A,
  "no_such_argument",
  (a) => `${a.fn} has no argument named '${a.name}': ${signature(a.fn, a.params)}`,
  { fn: "sum", name: "axes", params: ["x", "axis", "keepdims"] },
);

export const argumentGivenTwice: At<{ fn: string; name: string }> = at(A, "argument_given_twice", (a) => `argument '${a.name}' of ${a.fn} is given twice`, {
  fn: "sum",
  name: "axis",
});

export const missingArgument: At<{ fn: string; name: string; params: readonly string[] }> = at(
  A,
  "missing_argument",
  (a) => `${a.fn} needs its argument '${a.name}': ${signature(a.fn, a.params)}`,
  { fn: "repeat", name: "axis", params: ["x", "n", "axis"] },
);

/** `want` is what the attribute's kind takes: true or false, an integer, … */
export const badAttribute: At<{ fn: string; name: string; want: string }> = at(
  A,
  "bad_attribute",
  (a) => `argument '${a.name}' of ${a.fn} must be ${a.want}`,
  { fn: "sum", name: "keepdims", want: "true or false" },
);
