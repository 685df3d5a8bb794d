/** Values are checked where they enter: defaults in the file, --set and --inputs (issues 11 and 12). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorIs, expectReported, gradc, runText, stderrIs } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-values-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("input defaults", () => {
  it("a scalar default fills a tensor input of symbolic shape too, bound at run time", () => {
    const r = runText("dim N\ninput h: f64[N, 3] = 2\ny = sum(h)\noutput y\n");
    expect(r.outputs["y"]).toBe(18); // N = 3 when nothing binds it
    expect(runText("dim N\ninput h: f64[N, 3] = 2\ny = sum(h)\noutput y\n", { h: [[1, 2, 3]] }).outputs["y"]).toBe(6);
  });

  it("a default class index out of range is a located error, whether the graph is run or compiled", () => {
    const text = "input x: f64[2, 3] = 1\ninput t: i32[2] = [2, 5]\nL = softmax_cross_entropy(x, t)\noutput L\n";
    expect(errorIs("class_index_out_of_range", text)).toBe(
      "bad.graph:2:19: error: t holds the class index 5 (element 1), but it feeds a loss of 3 classes: indices go from 0 to 2\n" +
        "   2 | input t: i32[2] = [2, 5]\n" +
        "     |                   ^~~~~~",
    );
    expect(errorIs("class_index_out_of_range", "input t: i32[2] = [0, -1]\ny = sum(onehot(t, 4))\noutput y\n")).toContain("t holds the class index -1 (element 1), but it feeds a loss of 4 classes");
  });

  it("a scalar label default filled into a symbolic shape is checked against the class count bound at run time", () => {
    const g = file("sym.graph", "dim N, C\ninput x: f64[N, C]\ninput t: i32[N] = 3\nL = softmax_cross_entropy(x, t)\noutput L\n");
    expect(stderrIs("class_index_out_of_range", gradc(["run", g]))).toBe("gradc: error: t holds the class index 3 (element 0), but it feeds a loss of 3 classes: indices go from 0 to 2\n");
    const ok = gradc(["run", g, "--set", "x=[[1, 2, 3, 4]]"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^L = 0\.4401\d+\n$/);
  });
});

describe("--inputs and --set", () => {
  it("refuses arrays nested 5,000 deep in an --inputs file with a short message, not a stack overflow", () => {
    const deep = file("deep.json", `{"x": ${"[".repeat(5000)}1${"]".repeat(5000)}}`);
    const r = gradc(["run", "graphs/apple.graph", "--inputs", deep]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`gradc: error: --inputs ${deep}: not a tensor (arrays nested more than 32 deep)\n`);
    expectReported(r, "value_too_deep");
  });

  it("takes 32 levels (a '[' inside a string does not count), and names a missing file", () => {
    const ok = file("ok.json", `{"apple": 50, "note": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}`);
    expect(stderrIs("not_a_tensor", gradc(["run", "graphs/apple.graph", "--inputs", ok]))).toBe(`gradc: error: --inputs ${ok}: note: expected a number or a nested array of numbers of equal lengths\n`);
    const missing = join(dir, "missing.json");
    expect(stderrIs("cannot_read_inputs", gradc(["run", "graphs/apple.graph", "--inputs", missing]))).toBe(`gradc: error: cannot read --inputs ${missing}: no such file\n`);
  });

  it("a label from --inputs outside the class count is refused for check as for run", () => {
    const g = file("labels.graph", "dim N\ninput x: f64[N, 3]\ninput t: i32[N]\nparam b: f64[3] = 0\nL = softmax_cross_entropy(x + b, t)\nloss L\n");
    const inputs = file("labels.json", `{"x": [[1, 2, 3], [4, 5, 6]], "t": [2, 5]}`);
    for (const cmd of ["run", "check"]) {
      const r = gradc([cmd, g, "--inputs", inputs]);
      expect(r.code, cmd).toBe(1);
      expect(r.stderr).toBe("gradc: error: t holds the class index 5 (element 1), but it feeds a loss of 3 classes: indices go from 0 to 2\n");
      expectReported(r, "class_index_out_of_range");
    }
  });
});

describe("inputs nobody gave", () => {
  it("run and check say on stderr which inputs were drawn at random, with the seed and the dims bound; given ones are not named", () => {
    const g = file("random.graph", "dim N\ninput x: f64[N, 2]\nparam w: f64[2] = 1\ny = sum(x * w)\noutput y\nloss y\n");
    const r = gradc(["run", g, "--json", "--seed", "7"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("note: x: random values (seed 7, N = 3); --set or --inputs give your own\n");
    expect(Object.keys((JSON.parse(r.stdout) as { outputs: object }).outputs)).toEqual(["y"]);
    const c = gradc(["check", g]);
    expect(c.stderr).toBe("note: x: random values (seed 1, N = 3); --set or --inputs give your own\n");
    const given = gradc(["run", g, "--set", "x=[[1, 2]]"]);
    expect(given.stderr).toBe("");
    expect(given.stdout).toMatch(/^y = 3\n/);
  });
});
