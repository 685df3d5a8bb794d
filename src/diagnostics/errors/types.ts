/** E006 types, E007 shapes, E008 losses, E009 gradients, E010 values in a .graph file. */
import { type At, type AtFixed, at, atFixed } from "../catalogue.js";
import { codes } from "../index.js";

const T = codes.type;
const V = codes.value;

export const unknownDtype: At<{ dtype: string }> = at(T, "unknown_dtype", (a) => `unknown dtype '${a.dtype}' (expected f32, f64 or i32)`, { dtype: "f16" });

export const badDimension: At<{ value: number }> = at(T, "bad_dimension", (a) => `a dimension must be a non-negative integer, got ${a.value}`, { value: 2.5 });

export const undeclaredDim: At<{ name: string }> = at(T, "undeclared_dim", (a) => `'${a.name}' is not a declared dim (add 'dim ${a.name}' before it)`, {
  name: "N",
});

export const integerParam: AtFixed = atFixed(T, "integer_param", "a param is trained, so it must be f32 or f64, not i32");

/** `what` names the declaration: input a, param W, const c */
export const valueShapeMismatch: At<{ what: string; type: string; shape: string }> = at(
  T,
  "value_shape_mismatch",
  (a) => `${a.what} is declared ${a.type} but its value has shape ${a.shape}`,
  { what: "input a", type: "f64[3]", shape: "[2]" },
);

export const valueNotIntegers: At<{ what: string }> = at(T, "value_not_integers", (a) => `${a.what} is i32 but its value has non-integers`, {
  what: "input t",
});

export const valueOutsideInt32: At<{ what: string; value: number }> = at(
  T,
  "value_outside_int32",
  (a) => `${a.what} is i32, but ${a.value} is outside the int32 range (-2147483648 to 2147483647)`,
  { what: "input k", value: 4294967296 },
);

export const lossNotScalar: At<{ name: string; type: string }> = at(
  codes.loss,
  "loss_not_scalar",
  (a) => `a loss must be a scalar, but ${a.name} is ${a.type}`,
  { name: "score", type: "f32[N, 50]" },
);

export const gradNotScalar: At<{ name: string; type: string }> = at(
  codes.grad,
  "grad_not_scalar",
  (a) => `grad needs a scalar to differentiate, but ${a.name} is ${a.type}`,
  { name: "y", type: "f64[2]" },
);

export const gradientOfNonScalar: At<{ type: string }> = at(
  codes.grad,
  "gradient_of_non_scalar",
  (a) => `a gradient needs a scalar to differentiate, got ${a.type}`,
  { type: "f64[2]" },
);

export const gradWrtInteger: At<{ name: string }> = at(codes.grad, "grad_wrt_integer", (a) => `cannot differentiate with respect to ${a.name}: it is i32`, {
  name: "t",
});

export const gradOfIntegerValue: AtFixed = atFixed(codes.grad, "grad_of_integer_value", "cannot differentiate with respect to an i32 value");

export const initializerArgsNotNumbers: AtFixed = atFixed(V, "initializer_args_not_numbers", "initializer arguments must be numbers");

export const unknownInitializer: At<{ name: string }> = at(
  V,
  "unknown_initializer",
  (a) => `unknown initializer '${a.name}' (expected zeros, ones, normal(mean, std), uniform(low, high), he or xavier)`,
  { name: "gaussian" },
);

/** also for --set and --inputs values (no span then); `element` is the index in a tensor, or -1 for a scalar */
export const classIndexOutOfRange: At<{ name: string; index: number; element: number; classes: number }> = at(
  V,
  "class_index_out_of_range",
  (a) =>
    `${a.name} holds the class index ${a.index}${typeof a.element !== "number" || a.element >= 0 ? ` (element ${a.element})` : ""}, but it feeds a loss of ${a.classes} classes: indices go from 0 to ${typeof a.classes === "number" ? a.classes - 1 : `${a.classes} - 1`}`,
  { name: "t", index: 5, element: 1, classes: 3 },
);

/** `what` names the value: the default of input a, the value of param W */
export const notALiteral: At<{ what: string }> = at(V, "not_a_literal", (a) => `${a.what} must be a number or an array of numbers`, {
  what: "the default of input a",
});

export const raggedArray: At<{ what: string }> = at(V, "ragged_array", (a) => `${a.what} is a ragged array: every row must have the same length`, {
  what: "the default of input a",
});
