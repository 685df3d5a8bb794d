/** Values where they enter: class indices in range, int32 in range, labels drawn for the loss's class count, JSON in run --json's own form. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bind } from "../../src/index.js";
import { compile, errorIs, expectReported, gradc, stderrIs, throwsError } from "../helpers.js";

const bindError = (text: string, given?: Record<string, number[]>) => {
  try {
    const g = compile(text);
    bind(g, { given: given && new Map(Object.entries(given).map(([k, v]) => [k, { shape: [v.length], data: Float64Array.from(v) }])) });
  } catch (e) {
    return (e as Error).message;
  }
  return "";
};

describe("binding values", () => {
  const ce = "input x: f64[2, 3] = [[1, 2, 3], [4, 5, 6]]\ninput t: i32[2] = [2, 0]\nL = softmax_cross_entropy(x, t)\nloss L\ngrad L wrt x\n";

  it("refuses a class index the loss has no class for (it printed L = NaN in silence)", () => {
    expect(bindError(ce.replace("[2, 0]", "[2, 5]"))).toBe("t holds the class index 5 (element 1), but it feeds a loss of 3 classes: indices go from 0 to 2");
    expect(bindError(ce, { t: [-1, 0] })).toContain("t holds the class index -1 (element 0)");
    expect(bindError(ce)).toBe("");
  });

  it("refuses int32 values out of range, in the file and from --set (3000000000 wrapped to -1294967296)", () => {
    expect(errorIs("value_outside_int32", "input k: i32[2] = [4294967296, 1]\ny = sum(k)\noutput y\n")).toContain("bad.graph:1:19: error: input k is i32, but 4294967296 is outside the int32 range");
    const dir = mkdtempSync(join(tmpdir(), "gradc-bind-"));
    writeFileSync(join(dir, "k.graph"), "input k: i32[2]\ny = sum(k)\noutput y\n");
    expect(stderrIs("given_outside_int32", gradc(["run", join(dir, "k.graph"), "--set", "k=[3000000000,1]"]))).toBe("gradc: error: k is i32, but 3000000000 is outside the int32 range (-2147483648 to 2147483647)\n");
  });

  it("says that a dim's size comes from the inputs when one tries to --set it", () => {
    const g = compile("dim Math\ninput x: f64[Math, 2]\ny = sum(x)\noutput y\n");
    expect(throwsError("set_dim", () => bind(g, { given: new Map([["Math", { shape: [], data: Float64Array.of(1) }]]) }))).toMatch(/'Math' is a dim of test.graph: its size comes from the shapes of the inputs/);
  });

  it("draws random labels from the class count the loss sees, a symbolic C included (0–9 gave NaN)", () => {
    const g = compile("dim N, C\ninput x: f64[N, C]\ninput t: i32[N]\nL = softmax_cross_entropy(x, t)\noutput L\ngrad L wrt x\n");
    for (const seed of [1, 2, 3, 4, 5]) {
      const env = bind(g, { seed });
      expect(Math.max(...env.values.get("t")!.data)).toBeLessThan(env.dims.get("C")!);
    }
  });

  it("run --json writes NaN and infinities as strings, and --inputs reads them back (with a BOM too)", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-json-"));
    writeFileSync(join(dir, "in.json"), '\ufeff{"apple": "NaN", "tax": "Infinity"}');
    const r = gradc(["run", "graphs/apple.graph", "--inputs", join(dir, "in.json"), "--json"]);
    expect(JSON.parse(r.stdout)).toEqual({ outputs: { price: "NaN" }, grads: { price: { apple: "Infinity", apple_num: "NaN", orange: "Infinity", orange_num: "Infinity", tax: "NaN" } } });
  });

  it("refuses arrays nested past any rank with a message, not a stack overflow", () => {
    const deep = "[".repeat(5000) + "1" + "]".repeat(5000);
    const r = gradc(["run", "graphs/apple.graph", "--set", `apple=${deep}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("(arrays nested more than 32 deep)");
    expectReported(r, "value_too_deep");
    expect(r.stderr.length).toBeLessThan(300);
  });
});
