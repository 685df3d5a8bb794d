/** E012: a mistake in a command's flags or arguments (no place in a .graph file, but for a flag the graph cannot follow). */
import { type At, type Plain, type PlainFixed, at, plain, plainFixed } from "../catalogue.js";
import { codes } from "../index.js";

const C = codes.cli;

export const setDim: Plain<{ name: string; file: string }> = plain(
  C,
  "set_dim",
  (a) =>
    `'${a.name}' is a dim of ${a.file}: its size comes from the shapes of the inputs set with it (--set an input of shape [${a.name}, …])`,
  { name: "N", file: "mlp.graph" },
);

export const notInputOrParam: Plain<{ name: string; file: string }> = plain(C, "not_input_or_param", (a) => `'${a.name}' is not an input or param of ${a.file}`, {
  name: "banana",
  file: "graphs/apple.graph",
});

export const givenShapeMismatch: Plain<{ name: string; type: string; shape: string }> = plain(
  C,
  "given_shape_mismatch",
  (a) => `${a.name} is declared ${a.type} but was given a value of shape ${a.shape}`,
  { name: "apple", type: "f64", shape: "[2]" },
);

export const dimConflict: Plain<{ name: string; dim: string; size: number; earlier: number }> = plain(
  C,
  "dim_conflict",
  (a) => `${a.name} has ${a.dim} = ${a.size}, but an earlier value set ${a.dim} = ${a.earlier}`,
  { name: "t", dim: "N", size: 4, earlier: 3 },
);

export const givenNotIntegers: Plain<{ name: string }> = plain(C, "given_not_integers", (a) => `${a.name} is i32 but was given non-integers`, { name: "t" });

export const givenOutsideInt32: Plain<{ name: string; value: number }> = plain(
  C,
  "given_outside_int32",
  (a) => `${a.name} is i32, but ${a.value} is outside the int32 range (-2147483648 to 2147483647)`,
  { name: "k", value: 3000000000 },
);

export const unknownOptimizer: Plain<{ name: string }> = plain(C, "unknown_optimizer", (a) => `unknown optimizer '${a.name}' (expected sgd, momentum or adam)`, {
  name: "rmsprop",
});

export const notTrainable: Plain<{ file: string }> = plain(
  C,
  "not_trainable",
  (a) =>
    `${a.file} cannot be trained on MNIST: it needs 'dim N', an input x: f32[N, 784], labels t: i32[N], a 'loss' and an output score: f32[N, C]`,
  { file: "graphs/apple.graph" },
);

/** `threads` is the count asked for; `why` says what the node at the span does to the batch (graph/batch.ts). */
export const cannotSplitBatch: At<{ threads: number; why: string }> = at(
  C,
  "cannot_split_batch",
  (a) => `--threads ${a.threads} splits each step by the batch's rows, but here ${a.why}: train with --threads 1`,
  { threads: 2, why: "sum mixes the rows of the batch" },
);

export const interpretWithSimd: PlainFixed = plainFixed(C, "interpret_with_simd", "--interpret and --simd cannot be combined: the interpreter runs no compiled module");

export const gradNeedsSymbolic: PlainFixed = plainFixed(C, "grad_needs_symbolic", "gradc grad prints gradients as formulas: add --symbolic (use gradc run for numbers)");

export const asksForNoGradient: Plain<{ file: string }> = plain(C, "asks_for_no_gradient", (a) => `${a.file} asks for no gradient: add 'grad NAME wrt X' or 'loss NAME'`, {
  file: "graphs/forward.graph",
});

/** `where` is the op's FILE:LINE, or "" */
export const noFormula: Plain<{ of: string; op: string; where: string }> = plain(
  C,
  "no_formula",
  (a) =>
    `d ${a.of}: no formula: ${a.op}${a.where ? ` (${a.where})` : ""} has no formula that mathjs can differentiate. Formulas exist for a scalar expression of elementwise ops, or for a sum of one over tensors`,
  { of: "loss", op: "relu", where: "graphs/relu.graph:5" },
);

export const formulaTooLarge: Plain<{ of: string }> = plain(
  C,
  "formula_too_large",
  (a) => `d ${a.of}: no formula: the formula would be too large to read. Formulas exist for a scalar expression of elementwise ops, or for a sum of one over tensors`,
  { of: "y" },
);

export const inputsNotObject: Plain<{ path: string }> = plain(C, "inputs_not_object", (a) => `--inputs ${a.path} must hold a JSON object {"NAME": value, ...}`, {
  path: "in.json",
});

export const setNeedsNameValue: Plain<{ text: string }> = plain(C, "set_needs_name_value", (a) => `--set needs NAME=VALUE, got '${a.text}'`, { text: "x" });

/** `what` says where the value came from: --set x, --inputs in.json, --inputs in.json: x */
export const valueTooDeep: Plain<{ what: string; max: number }> = plain(C, "value_too_deep", (a) => `${a.what}: not a tensor (arrays nested more than ${a.max} deep)`, {
  what: "--set x",
  max: 32,
});

/** `detail` is JSON.parse's own message */
export const badJson: Plain<{ what: string; detail: string }> = plain(C, "bad_json", (a) => `${a.what}: ${a.detail}`, {
  what: "--inputs in.json",
  detail: "Unexpected end of JSON input",
});

const clip = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

export const notNumberOrArray: Plain<{ what: string; text: string }> = plain(
  C,
  "not_number_or_array",
  (a) => `${a.what}: the value must be a number or a JSON array, got '${clip(a.text)}'`,
  { what: "--set x", text: "abc" },
);

export const notATensor: Plain<{ what: string }> = plain(C, "not_a_tensor", (a) => `${a.what}: expected a number or a nested array of numbers of equal lengths`, {
  what: "--set x",
});

export const needsPositiveInteger: Plain<{ flag: string; value: string }> = plain(C, "needs_positive_integer", (a) => `${a.flag} needs a positive integer, got '${a.value}'`, {
  flag: "--iters",
  value: "0",
});

const grouped = (n: number | string) => n.toLocaleString("en-US");

/** `why` says what the limit is for */
export const flagTooLarge: Plain<{ flag: string; value: string; max: number; why: string }> = plain(
  C,
  "flag_too_large",
  (a) => `${a.flag} ${a.value} is more than ${grouped(a.max)} (${a.why})`,
  { flag: "--batch", value: "100000", max: 60000, why: "MNIST has 60,000 training images" },
);

export const needsNonNegativeInteger: Plain<{ flag: string; value: string }> = plain(
  C,
  "needs_non_negative_integer",
  (a) => `${a.flag} needs an integer of 0 or more, got '${a.value}'`,
  { flag: "--show", value: "-1" },
);

export const needsPositiveNumber: Plain<{ flag: string; value: string }> = plain(C, "needs_positive_number", (a) => `${a.flag} needs a positive number, got '${a.value}'`, {
  flag: "--lr",
  value: "0",
});

export const needsNonNegativeNumber: Plain<{ flag: string; value: string }> = plain(
  C,
  "needs_non_negative_number",
  (a) => `${a.flag} needs a number of 0 or more, got '${a.value}'`,
  { flag: "--momentum", value: "-1" },
);

export const needsFiniteNumber: Plain<{ flag: string; value: string }> = plain(C, "needs_finite_number", (a) => `${a.flag} needs a finite number, got '${a.value}'`, {
  flag: "--scale",
  value: "abc",
});

export const needsInteger: Plain<{ flag: string; value: string }> = plain(C, "needs_integer", (a) => `${a.flag} needs an integer, got '${a.value}'`, {
  flag: "--seed",
  value: "1.5",
});

export const seedOutOfRange: Plain<{ flag: string; value: string; max: number }> = plain(
  C,
  "seed_out_of_range",
  (a) =>
    `${a.flag} ${a.value} is outside 0 to ${a.max} (the generator keeps 32 bits: a larger seed would repeat a smaller one's numbers)`,
  { flag: "--seed", value: "-1", max: 4294967295 },
);

export const needsCountOrAll: Plain<{ flag: string; value: string }> = plain(C, "needs_count_or_all", (a) => `${a.flag} needs a positive count or 'all', got '${a.value}'`, {
  flag: "--sample",
  value: "0",
});

export const itersAndBatchPositive: PlainFixed = plainFixed(C, "iters_and_batch_positive", "--iters and --batch need positive integers");

export const lrPositive: Plain<{ lr: number }> = plain(C, "lr_positive", (a) => `--lr needs a positive number, got ${a.lr}`, { lr: -1 });

export const oneOutputFile: Plain<{ count: number }> = plain(C, "one_output_file", (a) => `-o names one output file, but ${a.count} graphs were given`, { count: 2 });

export const watchOneGraph: PlainFixed = plainFixed(C, "watch_one_graph", "--watch takes one graph");

export const symbolicParamShape: Plain<{ name: string }> = plain(C, "symbolic_param_shape", (a) => `param ${a.name} has a symbolic shape; give it with --set`, {
  name: "W",
});

/** `why` is the system's reason: EADDRINUSE, EACCES, … */
export const cannotListen: Plain<{ port: number; why: string }> = plain(
  C,
  "cannot_listen",
  (a) => `cannot serve the playground on 127.0.0.1:${a.port}: ${a.why} (choose another --port, or --port 0 for any free one)`,
  { port: 5280, why: "the port is in use" },
);
