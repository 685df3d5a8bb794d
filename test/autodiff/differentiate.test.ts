/**
 * grad(L, X) lowers to a `grad` node that differentiation expands in place, and a user
 * function's VJP falls back to its body's own rules where mathjs gives no derivative.
 */
import { describe, expect, it } from "vitest";
import { differentiate } from "../../src/autodiff/differentiate.js";
import { backprop } from "../../src/autodiff/index.js";
import { userFnDerivatives } from "../../src/autodiff/symbolic.js";
import { Builder } from "../../src/graph/builder.js";
import { isOp, type Node } from "../../src/graph/ir.js";
import { buildGraph } from "../../src/graph/lower.js";
import { printGraph } from "../../src/graph/print.js";
import { evaluate } from "../../src/interp/index.js";
import { opDef, type VjpBuilder } from "../../src/ops/index.js";
import { parseGraph } from "../../src/pipeline.js";
import { fromNested } from "../../src/tensor/tensor.js";
import { close } from "../helpers.js";

const SECOND = "input x: f64[3] = [1, -2, 0.5]\ny = sum(x * x * x)\nh = grad(sum(grad(y, x)), x)\noutput h\n";

describe("grad(L, X)", () => {
  it("is a grad node after lowering, and gone after differentiation", () => {
    const built = buildGraph(parseGraph(SECOND, "t.graph"), SECOND);
    const gradNodes = (nodes: readonly Node[]) => nodes.filter((n) => isOp(n) && opDef(n.op).traits.gradient);
    expect(gradNodes(built.nodes)).toHaveLength(2);
    const g = differentiate(built);
    expect(gradNodes(g.nodes)).toHaveLength(0);
    expect(printGraph(g)).not.toMatch(/= grad /);
    const values = evaluate([g.outputs[0]!.node], { values: new Map([["x", fromNested([1, -2, 0.5])!]]), dims: new Map() });
    expect(close(Array.from(values.get(g.outputs[0]!.node.id)!.data), [6, -12, 3])).toBe(true);
  });
});

describe("a user function's VJP", () => {
  const text = "fn f(a, b) = a * exp(b) + a * a\ninput x: f64[3] = [0.5, -1, 2]\ninput c: f64[3] = [1, 2, -0.5]\ny = f(x, c)\noutput y\n";
  const graph = differentiate(buildGraph(parseGraph(text, "t.graph"), text));
  const fnNode = graph.nodes.find((n) => isOp(n) && n.attrs["fn"])!;
  const env = { values: new Map([["x", fromNested([0.5, -1, 2])!], ["c", fromNested([1, 2, -0.5])!]]), dims: new Map() };

  /** The VJP of the fn node with seed ones, with mathjs' derivatives or without them. */
  const vjpWith = (derivatives: VjpBuilder["derivatives"]): number[][] => {
    const b = Builder.from(graph.nodes);
    const vb: VjpBuilder = {
      op: (name, inputs, attrs, span) => b.op(name, inputs, attrs, span),
      constant: (v, like) => b.constant(v, like),
      backprop: (y, seed, wrt) => backprop(b, y, seed, wrt),
      derivatives,
    };
    const seed = b.op("broadcast_to", [b.constant(1, fnNode)], { shape: [3] });
    const rule = opDef("fn").vjp;
    if (rule === "none") throw new Error("fn has a VJP");
    const grads = rule(vb, fnNode, seed, [true, true]) as Node[];
    const values = evaluate(grads, env);
    return grads.map((g) => Array.from(values.get(g.id)!.data));
  };

  it("builds mathjs' derivative, or differentiates the body node by node where mathjs gives none: the same numbers", () => {
    const symbolic = vjpWith(userFnDerivatives);
    const fallback = vjpWith(() => undefined);
    const x = [0.5, -1, 2];
    const c = [1, 2, -0.5];
    expect(close(symbolic[0], x.map((v, i) => Math.exp(c[i]!) + 2 * v), 1e-12)).toBe(true);
    expect(close(symbolic[1], x.map((v, i) => v * Math.exp(c[i]!)), 1e-12)).toBe(true);
    expect(close(fallback[0], symbolic[0], 1e-12)).toBe(true);
    expect(close(fallback[1], symbolic[1], 1e-12)).toBe(true);
  });
});
