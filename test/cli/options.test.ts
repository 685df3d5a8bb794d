/** Every numeric option is checked where it enters, with a message naming it (before, --tol abc was NaN and --iters 1e12 a RangeError). */
import { describe, expect, it } from "vitest";
import { expectReported, gradc } from "../helpers.js";

describe("numeric options", () => {
  const cases: [string[], string, string][] = [
    [["check", "graphs/apple.graph", "--tol", "abc"], "--tol needs a positive number, got 'abc'", "needs_positive_number"],
    [["check", "graphs/apple.graph", "--tol", "-1"], "--tol needs a positive number, got '-1'", "needs_positive_number"],
    [["check", "graphs/apple.graph", "--sample", "0"], "--sample needs a positive count or 'all', got '0'", "needs_count_or_all"],
    [["train", "--iters", "1e12"], "--iters 1e12 is more than 10,000,000 (a run keeps every iteration's loss)", "flag_too_large"],
    [["train", "--iters", "0"], "--iters needs a positive integer, got '0'", "needs_positive_integer"],
    [["train", "--iters", "2.5"], "--iters needs a positive integer, got '2.5'", "needs_positive_integer"],
    [["train", "--batch", "0"], "--batch needs a positive integer, got '0'", "needs_positive_integer"],
    [["train", "--batch", "-5"], "--batch needs a positive integer, got '-5'", "needs_positive_integer"],
    [["train", "--batch", "1e7"], "--batch 1e7 is more than 60,000 (MNIST has 60,000 training images)", "flag_too_large"],
    [["train", "--lr", "NaN"], "--lr needs a positive number, got 'NaN'", "needs_positive_number"],
    [["train", "--lr", "abc"], "--lr needs a positive number, got 'abc'", "needs_positive_number"],
    [["train", "--lr", "Infinity"], "--lr needs a positive number, got 'Infinity'", "needs_positive_number"],
    [["train", "--lr", "-1"], "--lr needs a positive number, got '-1'", "needs_positive_number"],
    [["train", "--eval-limit", "x"], "--eval-limit needs a positive integer, got 'x'", "needs_positive_integer"],
    [["run", "graphs/apple.graph", "--seed", "x"], "--seed needs an integer, got 'x'", "needs_integer"],
    [["run", "graphs/apple.graph", "--seed", "1e300"], "--seed needs an integer, got '1e300'", "needs_integer"],
  ];
  for (const [args, message, id] of cases) {
    it(args.join(" "), () => {
      const r = gradc(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`gradc: error: ${message}\n`);
      expectReported(r, id);
      expect(r.stdout).toBe("");
    });
  }
});

describe("gradc check explains a figure that means little", () => {
  it("names the worst element with both values, and says when it sits at a kink or is not finite", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "gradc-check-"));
    writeFileSync(join(dir, "kink.graph"), "input x: f64[2, 2] = [[0, 1], [-1, 2]]\ny = sum(relu(x))\ngrad y wrt x\n");
    const kink = gradc(["check", join(dir, "kink.graph")]);
    expect(kink.code).toBe(1);
    expect(kink.stdout).toMatch(/^x:1\.3e-1 {3}<-- above tolerance\n\nworst element of each \(backprop, central differences\):\n {2}x\[0, 0\]: 0, 0\.499999\d+, differ by 5\.0e-1\n {4}1 of 4 compared elements sit at a kink/);
    writeFileSync(join(dir, "log.graph"), "input x: f64[2] = [-1, 2]\ny = sum(log(x))\ngrad y wrt x\n");
    expect(gradc(["check", join(dir, "log.graph")]).stdout).toContain("2 of 2 compared elements are not finite (NaN or ±Infinity)");
  });
});
