/**
 * Limits: a 200,000-character line and a graph of over 10,000 nodes compile, run and
 * agree with the interpreter in bounded time; 20,000-deep nesting is refused cleanly
 * (test/diagnostics/errors.test.ts).
 */
import { describe, expect, it } from "vitest";
import { bind, compileText, interpret } from "../../src/index.js";
import { runCompiled } from "../../src/runtime/compiled.js";
import { loadCompiled } from "../../src/runtime/load.js";

describe("limits", () => {
  it("a 200,000-character line (a long array literal) compiles and runs", { timeout: 120_000 }, async () => {
    const values = Array.from({ length: 45000 }, (_, i) => (i % 100) / 10);
    const text = `input v: f64[45000] = [${values.join(", ")}]\ny = sum(v * v)\noutput y\ngrad y wrt v\n`;
    expect(text.length).toBeGreaterThan(200_000);
    const g = compileText(text, "long.graph");
    const r = runCompiled(await loadCompiled(g, { dtype: "f64" }), g, bind(g), { dtype: "f64" });
    expect(r.outputs.get("y")!.data[0]).toBeCloseTo(values.reduce((a, v) => a + v * v, 0), 6);
    expect(r.grads.get("y")!.get("v")!.data[7]).toBeCloseTo(1.4, 12);
  });

  it("a graph of over 10,000 nodes compiles, in float64 equal to the interpreter", { timeout: 120_000 }, async () => {
    const lines = ["input x0: f64[4] = [0.1, -0.2, 0.3, 0.5]"];
    for (let i = 1; i < 1500; i++) lines.push(`x${i} = tanh(x${i - 1}) * 0.5 + x${i - 1}`);
    lines.push("y = sum(x1499)", "output y", "grad y wrt x0");
    const g = compileText(lines.join("\n"), "big.graph");
    expect(g.nodes.length).toBeGreaterThan(10_000);
    const t0 = performance.now();
    const mod = await loadCompiled(g, { dtype: "f64" });
    const env = bind(g);
    const compiled = runCompiled(mod, g, env, { dtype: "f64" });
    const ref = interpret(g, env);
    expect(Array.from(compiled.grads.get("y")!.get("x0")!.data)).toEqual(Array.from(ref.grads.get("y")!.get("x0")!.data));
    expect(performance.now() - t0).toBeLessThan(60_000);
  });
});
