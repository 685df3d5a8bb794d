/** The language's syntax: statements, contextual words, precedence, continuation lines. */
import { describe, expect, it } from "vitest";
import type { Expr } from "../../src/dsl/ast.js";
import { parseGraph } from "../../src/index.js";
import { runText } from "../helpers.js";

/** An expression as a fully parenthesized string. */
function show(e: Expr): string {
  switch (e.kind) {
    case "num":
      return String(e.value);
    case "name":
      return e.name;
    case "array":
      return `[${e.items.map(show).join(", ")}]`;
    case "unary":
      return `(-${show(e.arg)})`;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "transpose":
      return `${show(e.arg)}.T`;
    case "call":
      return `${e.callee}(${e.args.map((a) => (a.name ? `${a.name}=` : "") + show(a.value)).join(", ")})`;
  }
}

function expr(text: string): string {
  const s = parseGraph(`y = ${text}`).stmts[0]!;
  if (s.kind !== "assign") throw new Error("not an assignment");
  return show(s.value);
}

describe("precedence and associativity", () => {
  it.each([
    ["a + b * c", "(a + (b * c))"],
    ["a - b - c", "((a - b) - c)"],
    ["a / b / c", "((a / b) / c)"],
    ["a @ b + c", "((a @ b) + c)"],
    ["-x ^ 2", "(-(x ^ 2))"],
    ["a ^ b ^ c", "(a ^ (b ^ c))"],
    ["2 ^ -1", "(2 ^ (-1))"],
    ["-a * b", "((-a) * b)"],
    ["x.T @ y", "(x.T @ y)"],
    ["f(x).T", "f(x).T"],
    ["sum(x, axis=0, keepdims=true)", "sum(x, axis=0, keepdims=true)"],
    ["(a + b) * c", "((a + b) * c)"],
    ["1.5e-3 * .5", "(0.0015 * 0.5)"],
  ])("%s", (text, tree) => expect(expr(text)).toBe(tree));

  it("computes 2 ^ 3 ^ 2 as 2 ^ 9", () => {
    expect(runText("y = 2 ^ 3 ^ 2\noutput y").outputs["y"]).toBe(512);
  });
});

describe("statements", () => {
  it("treats statement words as names where a name fits", () => {
    const text = "input x = 2\nloss = x * x\nloss loss\ngrad = loss + 1\noutput grad\n";
    const { outputs, grads } = runText(text);
    expect(outputs["grad"]).toBe(5);
    expect(grads["loss"]).toBeUndefined(); // no params: a loss asks for no gradient
  });

  it("continues a statement while ( or [ is open, and skips comments", () => {
    const text = "input w: f64[2, 2] = [[1, 2],   # first row\n  [3, 4]]\ny = sum(\n  w,\n  axis=0\n)\noutput y\n";
    expect(runText(text).outputs["y"]).toEqual([4, 6]);
  });

  it("accepts Unicode names", () => {
    const text = "input 사과 = 100\ninput 개수 = 2\n가격 = 사과 * 개수\noutput 가격\ngrad 가격 wrt 사과";
    const { outputs, grads } = runText(text);
    expect(outputs["가격"]).toBe(200);
    expect(grads["가격"]!["사과"]).toBe(2);
  });

  it("keeps spans of every statement", () => {
    const p = parseGraph("input a = 1\n\n  b = a * 2\n", "f.graph");
    expect(p.stmts.map((s) => [s.span.line, s.span.col])).toEqual([[1, 1], [3, 3]]);
  });

  it("parses every statement kind", () => {
    const p = parseGraph(
      "dim N, M\ninput x: f32[N, M]\nparam W: f32[M, 2] ~ he\nconst k = 2\nfn f(a, b) = a * b\ny = sum(f(x @ W, k))\noutput y\nloss y\ngrad y wrt W, x\n",
    );
    expect(p.stmts.map((s) => s.kind)).toEqual(["dim", "input", "param", "const", "fn", "assign", "output", "loss", "grad"]);
  });
});
