/** `gradc grad --symbolic`: the apple graph's five derivatives as formulas. */
import { describe, expect, it } from "vitest";
import { gradc } from "../helpers.js";

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

  it("says when a graph has no formula", () => {
    const r = gradc(["grad", "graphs/two_layer_net.graph", "--symbolic"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only scalar graphs of elementwise ops have formulas/);
  });
});
