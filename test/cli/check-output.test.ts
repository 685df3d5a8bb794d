/** gradc check: the textbook's lines first, then each gradient's worst element and what may make a figure mean little (issue 20). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkGradients } from "../../src/interp/check.js";
import { bind } from "../../src/runtime/bind.js";
import { compile, gradc } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-check-out-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("gradc check output", () => {
  it("a passing check: the figures, then each worst element with its index in the value's shape and both values", () => {
    const r = gradc(["check", "graphs/affine.graph"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "X:7.2e-12\nW:4.5e-12\nB:8.9e-12\n\nworst element of each (backprop, central differences):\n" +
        "  X[0, 1]: 0.7, 0.700000000009, differ by 9.0e-12\n  W[0, 1]: 5, 4.99999999999, differ by 1.2e-11\n  B[1]: 2, 2.00000000001, differ by 1.3e-11\n",
    );
  });

  it("a symbolic shape's index is in the bound shape; a scalar has none; several losses are named", () => {
    const g = file("sym.graph", "dim N\ninput x: f64[N, 2]\ny = sum(x * x)\nz = sum(exp(x))\ngrad y wrt x\ngrad z wrt x\n");
    const out = gradc(["check", g]).stdout;
    expect(out).toMatch(/^dy\/dx:\d\.\de-\d+\ndz\/dx:\d\.\de-\d+\n\nworst element of each \(backprop, central differences\):\n {2}dy\/dx at x\[\d, \d\]: /);
    expect(gradc(["check", "graphs/apple.graph"]).stdout).toMatch(/\n {2}apple: 2\.2, 2\.19999\d+, differ by \d\.\de-\d+\n/);
  });

  it("non-finite values are said to be so, and the check fails", () => {
    const r = gradc(["check", file("log.graph", "input x: f64[2] = [-1, 2]\ny = sum(log(x))\ngrad y wrt x\n")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^x:NaN {3}<-- above tolerance\n/);
    expect(r.stdout).toContain("  x[0]: -1, NaN\n    2 of 2 compared elements are not finite (NaN or ±Infinity)");
  });

  it("a sharp bend is not called a kink: 1/x near 0 against relu at 0", () => {
    const bend = compile("input x: f64[2] = [0.001, 2]\ny = sum(1 / x)\ngrad y wrt x\n");
    const [b] = checkGradients(bend, bind(bend));
    expect([b!.kinks, b!.rough]).toEqual([0, 1]);
    const kink = compile("input x: f64[3] = [0, 1, -1]\ny = sum(relu(x) + abs(x - 1))\ngrad y wrt x\n");
    const [k] = checkGradients(kink, bind(kink));
    expect([k!.kinks, k!.rough]).toEqual([2, 0]);
    const r = gradc(["check", file("bend.graph", "input x: f64[2] = [0.001, 2]\ny = sum(1 / x)\ngrad y wrt x\n")]);
    expect(r.stdout).toContain("1 of 2 compared elements are where the function bends too sharply for the step of 1e-4 (e.g. 1/x near 0), or near a kink");
    expect(r.stdout).not.toContain("kink (relu");
  });
});
