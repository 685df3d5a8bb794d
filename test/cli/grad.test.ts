/** `gradc grad --symbolic`: derivatives as formulas — the apple graph's five, and every shipped example's that has them. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectReported, gradc, stderrIs } from "../helpers.js";

describe("gradc grad --symbolic", () => {
  it("prints the five derivative formulas of the apple graph and the rules it chains", () => {
    const r = gradc(["grad", "graphs/apple.graph", "--symbolic"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(0, 5)).toEqual([
      "d price / d apple = tax * apple_num",
      "d price / d apple_num = tax * apple",
      "d price / d orange = tax * orange_num",
      "d price / d orange_num = tax * orange",
      "d price / d tax = apple * apple_num + orange * orange_num",
    ]);
    expect(r.stdout).toContain("  mul: d/dx = y, d/dy = x");
  });

  it("says when a graph has no formula, naming the op in the way", () => {
    const r = gradc(["grad", "graphs/two_layer_net.graph", "--symbolic"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gradc: error: d loss: no formula: matmul \(graphs\/two_layer_net.graph:\d+\) has no formula that mathjs can differentiate/);
    expectReported(r, "no_formula");
    expect(stderrIs("no_formula", gradc(["grad", "graphs/relu.graph", "--symbolic"]))).toContain("no formula: relu (graphs/relu.graph:5)");
  });

  it("gives every shipped example that sums elementwise ops its formulas, element by element, user functions included", () => {
    expect(gradc(["grad", "graphs/sigmoid.graph", "--symbolic"]).stdout.split("\n")[0]).toBe("d s / d x = exp(-x) / (exp(-x) + 1) ^ 2   (for each element)");
    expect(gradc(["grad", "graphs/softplus.graph", "--symbolic"]).stdout.split("\n")[0]).toBe("d y / d z = exp(z) / (exp(z) + 1)   (for each element)");
    expect(gradc(["grad", "graphs/mul_add.graph", "--symbolic"]).code).toBe(0);
  });

  it("simplifies what mathjs' default rules leave (sqrt(x) ^ 2 / x), and refuses a formula too large to read at once", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-grad-"));
    writeFileSync(join(dir, "pow.graph"), "input x = 2\ny = x ^ sqrt(x)\noutput y\ngrad y wrt x\n");
    expect(gradc(["grad", join(dir, "pow.graph"), "--symbolic"]).stdout.split("\n")[0]).toBe("d y / d x = x ^ sqrt(x) * (log(x) / 2 + 1) / sqrt(x)");
    // a20 = a19 * a19 + a19 … doubles its formula at each line: 2^20 terms
    const lines = ["input z = 0.5", "a0 = z", ...Array.from({ length: 20 }, (_, i) => `a${i + 1} = a${i} * a${i} + a${i}`), "output a20", "grad a20 wrt z"];
    writeFileSync(join(dir, "doubling.graph"), lines.join("\n") + "\n");
    const r = gradc(["grad", join(dir, "doubling.graph"), "--symbolic"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no formula: the formula would be too large to read");
    expectReported(r, "formula_too_large");
  });
});
