/**
 * User mistakes: each is reported as FILE:LINE:COL: error: MESSAGE with the source
 * line and a caret, never a stack trace. Each case asserts file, line, column,
 * message, and the catalogue entry (id and code) that reported it.
 */
import { describe, expect, it } from "vitest";
import { codes } from "../../src/diagnostics/index.js";
import { diagnosticOf, entryCode, errorIs, runText } from "../helpers.js";

const MLP = `dim N
input x: f32[N, 784]
param W1: f32[784, 50] ~ normal(0, 0.01)
param W2: f32[50, 10] ~ normal(0, 0.01)
`;

/** [what, graph text, the id of the catalogue entry, expected first line] */
const CASES: readonly [string, string, string, string][] = [
  ["unexpected character", "x = 1 $ 2", "unexpected_character", "bad.graph:1:7: error: unexpected character '$'"],
  ["a missing operand", "input a = 1\ny = a +", "expected_expression", "bad.graph:2:8: error: expected an expression, found the end of the line"],
  ["an unclosed parenthesis", "input a = 1\ny = (a + 1", "never_closed", "bad.graph:2:5: error: '(' is never closed"],
  ["an unmatched bracket", "input a = 1\ny = a + 1)", "unmatched_closer", "bad.graph:2:10: error: unmatched ')'"],
  ["mismatched brackets", "input a = 1\ny = exp(a]", "mismatched_bracket", "bad.graph:2:10: error: ']' does not match '(' at 2:8"],
  ["a name starting with a digit", "1x = 2", "name_starts_with_digit", "bad.graph:1:1: error: a name cannot start with a digit"],
  ["a statement without '='", "input a = 1\ny a", "expected", "bad.graph:2:3: error: expected '=' after 'y' (or a statement word: dim, input, param, const, fn, output, loss, grad), found 'a'"],
  ["an unknown name", "input apple = 1\ny = aple * 2", "unknown_name", "bad.graph:2:5: error: unknown name 'aple' (did you mean 'apple'?)"],
  ["an unknown function", "input a = 1\ny = rleu(a)", "unknown_function", "bad.graph:2:5: error: unknown function 'rleu' (did you mean 'relu'?)"],
  ["a redefinition", "input a = 1\na = 2", "already_defined", "bad.graph:2:1: error: 'a' is already defined at line 1"],
  ["too many arguments", "input a = 1\ny = exp(a, a)", "too_many_arguments", "bad.graph:2:12: error: exp takes at most 1 argument: exp(x)"],
  ["a missing argument", "input a: f64[2] = [1, 2]\ny = repeat(a, 2)", "missing_argument", "bad.graph:2:5: error: repeat needs its argument 'axis': repeat(x, n, axis)"],
  ["an unknown named argument", "input a: f64[2] = [1, 2]\ny = sum(a, axes=0)", "no_such_argument", "bad.graph:2:12: error: sum has no argument named 'axes': sum(x, axis, keepdims)"],
  ["a non-constant attribute", "input a: f64[2] = [1, 2]\ny = sum(a, axis=a)", "bad_attribute", "bad.graph:2:17: error: argument 'axis' of sum must be an integer or a list of integers"],
  ["a bad keepdims", "input a: f64[2] = [1, 2]\ny = sum(a, keepdims=1)", "bad_attribute", "bad.graph:2:21: error: argument 'keepdims' of sum must be true or false"],
  ["an unknown dtype", "input a: f16[2]", "unknown_dtype", "bad.graph:1:10: error: unknown dtype 'f16' (expected f32, f64 or i32)"],
  ["an undeclared dim", "input a: f32[N, 3]", "undeclared_dim", "bad.graph:1:14: error: 'N' is not a declared dim (add 'dim N' before it)"],
  ["a default of the wrong shape", "input a: f64[3] = [1, 2]", "value_shape_mismatch", "bad.graph:1:19: error: input a is declared f64[3] but its value has shape [2]"],
  ["a ragged array", "input a = [[1, 2], [3]]", "ragged_array", "bad.graph:1:11: error: the default of input a is a ragged array: every row must have the same length"],
  ["an i32 param", "param p: i32[3] = 0", "integer_param", "bad.graph:1:10: error: a param is trained, so it must be f32 or f64, not i32"],
  ["an unknown initializer", "param p: f32[3] ~ gaussian(0, 1)", "unknown_initializer", "bad.graph:1:19: error: unknown initializer 'gaussian' (expected zeros, ones, normal(mean, std), uniform(low, high), he or xavier)"],
  ["an initializer with the wrong arity", "param p: f32[3] ~ normal(0)", "initializer_arity", "bad.graph:1:19: error: normal takes 2 arguments: normal(mean, std)"],
  ["inner dimensions that disagree", MLP + "h = x @ W2", "matmul_inner_dims", "bad.graph:5:5: error: @ needs inner dimensions to agree: f32[N, 784] @ f32[50, 10]"],
  ["shapes that do not broadcast", "input a: f64[2, 3]\ninput b: f64[4]\ny = a + b", "operands_do_not_broadcast", "bad.graph:3:5: error: + needs shapes that broadcast: f64[2, 3] + f64[4]"],
  ["a symbolic dim against a number", "dim N\ninput a: f64[N]\ninput b: f64[3]\ny = a * b", "operands_do_not_broadcast", "bad.graph:4:5: error: * needs shapes that broadcast: f64[N] * f64[3]"],
  ["transpose of a vector", "input a: f64[3]\ny = a.T", "transpose_needs_matrix", "bad.graph:2:5: error: transpose needs a 2-D tensor, got f64[3]"],
  ["an axis out of range", "input a: f64[3]\ny = sum(a, axis=1)", "axis_out_of_range", "bad.graph:2:5: error: axis 1 is out of range for f64[3]"],
  ["a bad reshape", "input a: f64[2, 3]\ny = reshape(a, [4, 2])", "reshape_size_mismatch", "bad.graph:2:5: error: reshape needs the same number of elements: [2, 3] to [4, 2]"],
  ["labels of the wrong shape", "input s: f64[4, 3]\ninput t: i32[3]\nL = softmax_cross_entropy(s, t)", "cross_entropy_labels", "bad.graph:3:5: error: softmax_cross_entropy needs labels i32[4] class indices for logits f64[4, 3], got i32[3]"],
  ["operands of @ of rank 3", "input a: f64[2, 3, 4]\ninput b: f64[4]\ny = a @ b", "matmul_rank", "bad.graph:3:5: error: @ takes 1-D or 2-D operands: f64[2, 3, 4] @ f64[4]"],
  ["a function's arguments that do not broadcast", "input a: f64[2, 3]\ninput b: f64[4]\ny = maximum(a, b)", "arguments_do_not_broadcast", "bad.graph:3:5: error: maximum needs shapes that broadcast: f64[2, 3] and f64[4]"],
  ["a fn's arguments that do not broadcast", "fn f(x, y) = x * y\ninput a: f64[2, 3]\ninput b: f64[4]\ny = f(a, b)", "arguments_do_not_broadcast", "bad.graph:4:5: error: f needs shapes that broadcast: f64[2, 3] and f64[4]"],
  ["a repeated axis", "input a: f64[2, 3]\ny = sum(a, axis=[0, 0])", "repeated_axis", "bad.graph:2:5: error: repeated axis in [0,0]"],
  ["a reshape with two -1", "input a: f64[2, 3]\ny = reshape(a, [-1, -1])", "reshape_holes", "bad.graph:2:5: error: reshape takes at most one -1 in [-1, -1]"],
  ["a -1 that cannot be inferred", "input a: f64[2, 3]\ny = reshape(a, [4, -1])", "reshape_cannot_infer", "bad.graph:2:5: error: reshape cannot infer -1: [2, 3] to [4, -1]"],
  ["a broadcast_to a shape that does not fit", "input a: f64[3]\ny = broadcast_to(a, [2, 2])", "cannot_broadcast_to", "bad.graph:2:5: error: cannot broadcast f64[3] to [2, 2]"],
  ["a repeat of zero copies", "input a: f64[3]\ny = repeat(a, 0, axis=0)", "repeat_count", "bad.graph:2:5: error: repeat needs a positive integer count, got 0"],
  ["a repeat along an axis out of range", "input a: f64[3]\ny = repeat(a, 2, axis=1)", "axis_out_of_range", "bad.graph:2:5: error: axis 1 is out of range for f64[3]"],
  ["a onehot of no classes", "input t: i32[2]\ny = onehot(t, 0)", "onehot_class_count", "bad.graph:2:5: error: onehot needs a positive integer class count, got 0"],
  ["logits of rank 3", "input s: f64[2, 3, 4]\ninput t: i32[2, 3]\nL = softmax_cross_entropy(s, t)", "cross_entropy_logits", "bad.graph:3:5: error: softmax_cross_entropy needs logits of shape [N, C] or [C], got f64[2, 3, 4]"],
  ["probabilities of the wrong shape", "input s: f64[4, 3]\ninput t: f64[4]\nL = softmax_cross_entropy(s, t)", "cross_entropy_labels", "bad.graph:3:5: error: softmax_cross_entropy needs labels f64[4, 3] probabilities for logits f64[4, 3], got f64[4]"],
  ["a non-scalar loss", MLP + "score = x @ W1\nloss score", "loss_not_scalar", "bad.graph:6:6: error: a loss must be a scalar, but score is f32[N, 50]"],
  ["grad of a non-scalar", "input a: f64[2] = [1, 2]\ny = a * 2\ngrad y wrt a", "grad_not_scalar", "bad.graph:3:6: error: grad needs a scalar to differentiate, but y is f64[2]"],
  ["grad wrt an unknown name", "input a = 1\ny = a * 2\ngrad y wrt b", "unknown_name_in", "bad.graph:3:12: error: unknown name 'b' in wrt"],
  ["grad wrt an integer input", "input a = 1\ninput t: i32 = 2\ny = a * t\ngrad y wrt t", "grad_wrt_integer", "bad.graph:4:12: error: cannot differentiate with respect to t: it is i32"],
  ["grad without wrt", "input a = 1\ngrad a of a", "expected_wrt", "bad.graph:2:8: error: expected 'wrt' after 'grad a', found 'of'"],
  ["an output that is not defined", "input a = 1\noutput b", "unknown_name_in", "bad.graph:2:8: error: unknown name 'b' in output"],
  ["a dim used as a value", "dim N\ny = N * 2", "dim_not_a_value", "bad.graph:2:5: error: N is a dim (a size), not a value"],
  ["a function used as a value", "input a = 1\ny = exp * a", "function_not_called", "bad.graph:2:5: error: exp is a function: call it, e.g. exp(x)"],
  ["a user function with the wrong arity", "fn f(x, y) = x * y\ninput a = 1\nz = f(a)", "fn_arity", "bad.graph:3:5: error: f takes 2 arguments, got 1"],
  ["a repeated fn parameter", "fn f(x, x) = x", "duplicate_parameter", "bad.graph:1:9: error: parameter 'x' appears twice"],
  ["a call in a grad of a non-scalar", "input a: f64[2] = [1, 2]\ny = grad(a * 2, a)", "gradient_of_non_scalar", "bad.graph:2:10: error: a gradient needs a scalar to differentiate, got f64[2]"],
  ["garbage after an expression", "input a = 1\ny = a b", "expected_end_of_statement", "bad.graph:2:7: error: expected the end of the statement, found 'b'"],
  ["a line that is no statement", "+ 1", "expected_statement", "bad.graph:1:1: error: expected a statement, found '+'"],
  ["a dot that is not .T", "input a: f64[2, 2]\ny = a.x", "expected_transpose", "bad.graph:2:7: error: expected 'T' after '.' (x.T transposes x)"],
  ["a param without a value", "param W: f64[2]", "param_needs_value", "bad.graph:1:16: error: param W needs '= VALUE' or '~ INIT', found the end of the line"],
  ["a dim as an output", "dim N\noutput N", "not_a_value", "bad.graph:2:8: error: N is a dim, not a value"],
  ["a loss twice", "input a = 1\nloss a\nloss a", "duplicate_loss", "bad.graph:3:6: error: 'a' is already a loss"],
  ["an argument given twice", "input a: f64[2] = [1, 2]\ny = sum(a, x=a)", "argument_given_twice", "bad.graph:2:12: error: argument 'x' of sum is given twice"],
  ["grad with one argument", "input a = 1\ny = grad(a)", "grad_arity", "bad.graph:2:5: error: grad takes two arguments: grad(L, X), the gradient of the scalar L with respect to X"],
  ["a named argument to a fn", "fn f(x) = x\ninput a = 1\ny = f(x=a)", "positional_only", "bad.graph:3:7: error: f takes positional arguments only"],
  ["a fractional dimension", "input a: f64[2.5]", "bad_dimension", "bad.graph:1:14: error: a dimension must be a non-negative integer, got 2.5"],
  ["an i32 default with fractions", "input t: i32[2] = [1.5, 2]", "value_not_integers", "bad.graph:1:19: error: input t is i32 but its value has non-integers"],
  ["grad() with respect to an i32 value", "input a = 1\ninput t: i32 = 2\ny = grad(a * t, t)", "grad_of_integer_value", "bad.graph:3:17: error: cannot differentiate with respect to an i32 value"],
  ["a name as an initializer argument", "input a = 1\nparam p: f32[3] ~ normal(a, 1)", "initializer_args_not_numbers", "bad.graph:2:26: error: initializer arguments must be numbers"],
  ["a name as a default", "input b = 1\ninput a = b", "not_a_literal", "bad.graph:2:11: error: the default of input a must be a number or an array of numbers"],
];
describe("located errors", () => {
  for (const [what, text, id, first] of CASES) {
    it(what, () => {
      const d = diagnosticOf(text);
      expect(d.text.split("\n")[0]).toBe(first);
      expect([d.id, d.code]).toEqual([id, entryCode(id)]);
    });
  }

  it("shows the source line and a caret under the column", () => {
    const message = errorIs("operands_do_not_broadcast", "input a: f64[2, 3]\ninput b: f64[4]\ny = a + b");
    expect(message).toBe(
      ["bad.graph:3:5: error: + needs shapes that broadcast: f64[2, 3] + f64[4]", "   3 | y = a + b", "     |     ^~~~~"].join("\n"),
    );
  });

  it("refuses deeply nested input without overflowing the stack", () => {
    const deep = "input a = 1\ny = " + "(".repeat(20000) + "a" + ")".repeat(20000);
    expect(errorIs("nested_too_deeply", deep).split("\n")[0]).toMatch(/^bad\.graph:2:\d+: error: expression nested too deeply/);
    const neg = "input a = 1\ny = " + "-".repeat(20000) + "a";
    expect(errorIs("nested_too_deeply", neg).split("\n")[0]).toMatch(/^bad\.graph:2:\d+: error: expression nested too deeply/);
    const powers = "input a = 1\ny = a" + "^a".repeat(20000);
    expect(errorIs("nested_too_deeply", powers).split("\n")[0]).toMatch(/^bad\.graph:2:\d+: error: expression nested too deeply/);
  });

  it("user functions that call each other: 256 deep compile (value and gradient), deeper is a located error, not a stack overflow", () => {
    // f0(a) = a + 1, f1(a) = f0(a) + 1, …: fᵢ(x) = x + i + 1; too large for one formula, so each call is inlined
    const chain = (n: number) => ["input x = 1", "fn f0(a) = a + 1", ...Array.from({ length: n - 1 }, (_, i) => `fn f${i + 1}(a) = f${i}(a) + 1`), `y = f${n - 1}(x)`, "output y", "grad y wrt x"].join("\n");
    const ok = runText(chain(256));
    expect([ok.outputs["y"], ok.grads["y"]?.["x"]]).toEqual([257, 1]);
    // f0…f11 stay formula nodes; from f(n-1) down, the 257th inlined call is the one refused, in f(n-256)'s body
    for (const n of [300, 5000]) {
      const k = n - 257;
      const col = `fn f${k + 1}(a) = `.length + 1;
      expect(errorIs("calls_too_deep", chain(n)).split("\n")[0]).toBe(`bad.graph:${k + 3}:${col}: error: user functions call each other more than 256 deep here (through f${k}): inline some of them`);
    }
  });

  it("compiles a very long chain of operators without deep recursion", () => {
    const chain = "input a = 1\ny = a" + " + a".repeat(50000) + "\noutput y\ngrad y wrt a";
    const { outputs, grads } = runText(chain);
    expect(outputs["y"]).toBe(50001);
    expect(grads["y"]!["a"]).toBe(50001);
  });
});

/**
 * The kind codes users and tools rely on (E001–E014 have not changed since gradc 1): a
 * representative error of each located kind, its code written out here rather than read
 * from the catalogue, so that moving a message to another kind fails a test.
 */
const KEPT: readonly [string, string, string][] = [
  ["x = 1 $ 2", "E001", "unexpected_character"],
  ["input a = 1\ny = a +", "E001", "expected_expression"],
  ["input apple = 1\ny = aple * 2", "E002", "unknown_name"],
  ["input a = 1\ny = rleu(a)", "E003", "unknown_function"],
  ["input a = 1\na = 2", "E004", "already_defined"],
  ["input a = 1\ny = exp(a, a)", "E005", "too_many_arguments"],
  ["input a: f16[2]", "E006", "unknown_dtype"],
  [MLP + "h = x @ W2", "E007", "matmul_inner_dims"],
  ["input a: f64[2, 3]\ninput b: f64[4]\ny = a + b", "E007", "operands_do_not_broadcast"],
  ["input a: f64[3]\ny = sum(a, axis=1)", "E007", "axis_out_of_range"],
  [MLP + "score = x @ W1\nloss score", "E008", "loss_not_scalar"],
  ["input a: f64[2] = [1, 2]\ny = a * 2\ngrad y wrt a", "E009", "grad_not_scalar"],
  ["param p: f32[3] ~ gaussian(0, 1)", "E010", "unknown_initializer"],
  ["input a = 1\ny = " + "(".repeat(600) + "a" + ")".repeat(600), "E011", "nested_too_deeply"],
];

describe("kind codes", () => {
  it("are the codes gradc has always given", () => {
    expect(codes).toEqual({
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
    });
  });

  for (const [text, code, id] of KEPT) {
    it(`${code} ${id}`, () => {
      const d = diagnosticOf(text);
      expect([d.code, d.id], d.text).toEqual([code, id]);
    });
  }
});
