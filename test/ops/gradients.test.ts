/**
 * Every op of the table, differentiated by its VJP rule and checked against central
 * differences in float64, at seeded random points, with and without broadcasting.
 * A new op without a case here fails the coverage test at the bottom.
 */
import { describe, expect, it } from "vitest";
import { bind, checkGradients } from "../../src/index.js";
import { ops } from "../../src/ops/index.js";
import { close, compile, runText } from "../helpers.js";
import { CASES, PRELUDE } from "./cases.js";

function caseText(expr: string, wrt: string): string {
  return `${PRELUDE}y = ${expr}\nL = sum(y * y)\ngrad L wrt ${wrt}\n`;
}

describe("VJP rules against central differences (float64)", () => {
  for (const entry of CASES) {
    const [expr, wrt] = typeof entry === "string" ? [entry, "a, b, c, d, s"] : entry;
    it(expr, () => {
      const g = compile(caseText(expr, wrt));
      for (const seed of [1, 2]) {
        const results = checkGradients(g, bind(g, { seed }), { h: 1e-5, atol: 1e-8, rtol: 1e-7 });
        for (const r of results) expect({ wrt: r.wrt, ok: r.ok, diff: r.meanAbsDiff }).toMatchObject({ wrt: r.wrt, ok: true });
      }
    });
  }
});

describe("second derivatives: gradients are graphs, so they differentiate again", () => {
  it("d²/dx² of sum(x³) is 6x", () => {
    const { outputs } = runText(`input x: f64[3] = [1, -2, 0.5]\ny = sum(x * x * x)\nh = grad(sum(grad(y, x)), x)\noutput h\n`);
    expect(close(outputs["h"], [6, -12, 3])).toBe(true);
  });

  it("the second derivative of softplus, from its mathjs derivative, is sigmoid'", () => {
    const { outputs } = runText(`fn softplus(x) = log(1 + exp(x))\ninput z: f64[3] = [-1, 0, 2]\nh = grad(sum(grad(sum(softplus(z)), z)), z)\noutput h\n`);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expect(close(outputs["h"], [-1, 0, 2].map((v) => sig(v) * (1 - sig(v))), 1e-12)).toBe(true);
  });
});

describe("the op table", () => {
  it("has a gradient case for every op (or the op passes no gradient)", () => {
    const used = new Set<string>();
    for (const entry of CASES) {
      const expr = typeof entry === "string" ? entry : entry[0];
      for (const n of compile(caseText(expr, "a")).nodes) used.add(n.op);
    }
    // grad(L, X) nodes never outlive differentiation: they become the gradient's nodes
    const missing = [...ops.keys()].filter((name) => !used.has(name) && !ops.get(name)!.traits.gradient);
    expect(missing).toEqual([]);
  });

  it("declares every op with a doc line", () => {
    for (const op of ops.values()) expect(op.doc.length, op.name).toBeGreaterThan(10);
  });
});
