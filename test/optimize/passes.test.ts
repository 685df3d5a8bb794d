/** Each optimization pass on its own, and the fusion and memory plans. */
import { describe, expect, it } from "vitest";
import type { Graph, Node } from "../../src/graph/ir.js";
import { cse } from "../../src/optimize/cse.js";
import { dce } from "../../src/optimize/dce.js";
import { fold } from "../../src/optimize/fold.js";
import { plan } from "../../src/optimize/fuse.js";
import { planMemory } from "../../src/optimize/memory.js";
import { optimize, passes } from "../../src/optimize/pipeline.js";
import { roots } from "../../src/optimize/rebuild.js";
import { rules, simplify } from "../../src/optimize/simplify.js";
import { compile, gradc } from "../helpers.js";

const ops = (g: Graph) => g.nodes.map((n) => n.op);
const live = (g: Graph) => dce(g).nodes.filter((n) => n.inputs.length > 0).map((n) => n.op);

describe("dce", () => {
  it("drops what no output, loss or gradient needs", () => {
    const g = compile("input a = 1\nunused = exp(a) * 3\ny = a * 2\noutput y\n");
    expect(ops(g)).toContain("exp");
    expect(ops(dce(g))).not.toContain("exp");
  });

  it("computes no gradient for an input nobody differentiates (the MNIST x)", () => {
    const g = optimize(compile("dim N\ninput x: f32[N, 4]\ninput t: i32[N]\nparam W: f32[4, 3] = 0\nloss = softmax_cross_entropy(x @ W, t)\nloss loss\n"));
    const transposeOfW = g.nodes.filter((n) => n.op === "transpose" && n.inputs[0]!.op === "param");
    expect(transposeOfW).toHaveLength(0); // dx = g @ Wᵀ is never built
  });
});

describe("cse", () => {
  it("merges identical subexpressions into one node", () => {
    const g = compile("input a = 1\ny = exp(a) + exp(a)\noutput y\n");
    expect(ops(cse(g)).filter((o) => o === "exp")).toHaveLength(1);
  });
});

describe("fold", () => {
  it("evaluates constant subexpressions at compile time", () => {
    const g = fold(compile("input a = 1\nconst k = 2\ny = a * (k * 3 + exp(0))\noutput y\n"));
    const consts = g.nodes.filter((n) => n.op === "const").map((n) => n.value!.data[0]);
    expect(consts).toContain(7);
    expect(live(g)).toEqual(["mul"]);
  });

  it("does not expand a broadcast into a table", () => {
    const g = fold(compile("input a: f64[2, 3]\ny = a * broadcast_to(2, [2, 3])\noutput y\n"));
    expect(live(g)).toContain("broadcast_to");
  });
});

describe("simplify", () => {
  const cases: [string, string, string[]][] = [
    ["mul-one", "y = a * 1", []],
    ["add-zero", "y = 0 + a", []],
    ["sub-zero", "y = a - 0", []],
    ["div-one", "y = a / 1", []],
    ["neg-neg", "y = -(-a)", []],
    ["transpose-transpose", "y = a.T.T", []],
    ["reshape-same", "y = reshape(a, [2, 3])", []],
    ["reshape-reshape", "y = reshape(reshape(a, [3, 2]), [6])", ["reshape"]],
    ["stop-gradient", "y = stop_gradient(a) * 2", ["mul"]],
  ];
  for (const [rule, expr, left] of cases) {
    it(`${rule}: ${rules.find((r) => r.name === rule)!.identity}`, () => {
      const g = simplify(compile(`input a: f64[2, 3]\n${expr}\noutput y\n`));
      expect(live(g)).toEqual(left);
    });
  }

  it("relu-mask: the backward ReLU mask reads the stored output, not the pre-activation", () => {
    const g = optimize(compile("input x: f64[3]\nparam b: f64[3] = 0\nh = relu(x + b)\nL = sum(h * h)\nloss L\n"));
    const step = g.nodes.find((n) => n.op === "step")!;
    expect(step.inputs[0]!.op).toBe("relu");
  });

  it("lists every rule with its identity", () => {
    expect(rules.every((r) => r.identity.includes("→"))).toBe(true);
    expect(cases.map((c) => c[0]).sort()).toEqual(rules.map((r) => r.name).filter((n) => n !== "relu-mask").sort());
  });
});

describe("the pipeline", () => {
  it("is a named, ordered list of passes, each with its reason", () => {
    expect(passes.map((p) => p.name)).toEqual(["dce", "fold", "simplify", "fold-again", "cse"]);
    expect(passes.every((p) => p.why.length > 10)).toBe(true);
  });
});

describe("fusion and memory plans", () => {
  const net = optimize(compile("dim N\ninput x: f32[N, 784]\ninput t: i32[N]\nparam W1: f32[784, 50] ~ he\nparam b1: f32[50] = 0\nparam W2: f32[50, 10] ~ he\nparam b2: f32[10] = 0\nh = relu(x @ W1 + b1)\nscore = h @ W2 + b2\nloss = softmax_cross_entropy(score, t)\nloss loss\n"));
  const p = plan(roots(net));
  const kinds = (k: { nodes: readonly Node[] }) => k.nodes.map((n) => n.op).join(" ");

  it("fuses matmul + bias + relu into one kernel and folds transposes into matmuls", () => {
    expect(p.kernels.map((k) => `${k.kind}: ${kinds(k)}`)).toEqual([
      "matmul: matmul add relu",
      "matmul: matmul add",
      "loop: softmax_ce",
      "loop: softmax_ce_grad",
      "reduce: sum",
      "matmul: matmul",
      "matmul: matmul step mul",
      "reduce: sum",
      "matmul: matmul",
    ]);
    expect([...p.modes.values()].filter((m) => m.kind === "folded")).toHaveLength(3);
  });

  it("gives each buffer a slot and reuses slots whose values are dead", () => {
    // b, c, d each have two users, so each gets a buffer; b is dead once c is computed
    const g = optimize(compile("input a: f64[4]\nb = exp(a)\nc = b * b\nd = c * c\ne = sum(d * d)\noutput e\n"));
    const pl = plan(roots(g));
    const mem = planMemory(pl, (n) => n.type.dtype);
    const slot = (op: string, i = 0) => mem.slotOf.get(pl.kernels.filter((k) => k.out.op === op)[i]!.out.id);
    expect(pl.kernels.map((k) => k.out.op)).toEqual(["exp", "mul", "mul", "sum"]);
    expect(slot("exp")).toBe(slot("mul", 1)); // d reuses b's slot
    expect(slot("mul", 0)).not.toBe(slot("exp")); // c is computed while b is live
    expect(mem.slots).toHaveLength(3);
  });
});

describe("the optimizer's report (gradc ir --rewrites)", () => {
  it("lists what each pass did: the textbook's dprice/dtax = 1 · all_price is all_price, by x*1 → x, at price's line", () => {
    expect(gradc(["ir", "--rewrites", "graphs/apple.graph"]).stdout).toBe(
      [
        "apple.graph: 16 nodes with the gradients; 13 after the optimizer",
        "",
        "dce         16 nodes          compute only what outputs, losses and requested gradients need",
        "fold        16 nodes          evaluate constant subexpressions once, at compile time",
        "simplify    16 → 13 nodes     remove identities that autodiff leaves behind (g·1, x+0, double transposes)",
        "  apple.graph:11:16  mul-one  x*1 → x  mul(1, tax) → tax",
        "  apple.graph:11:16  mul-one  x*1 → x  mul(1, all_price) → all_price",
        "fold-again  13 nodes          simplification exposes new constants",
        "cse         13 nodes          merge nodes that the rewrites made identical",
        "",
      ].join("\n"),
    );
  });

  it("is the same optimization, reported: the graph with a report equals the one without, and every rewrite's replacement has its node's type", () => {
    for (const text of [
      "input x = 0.5\ny = 1 / (1 + exp(-x))\noutput y\ngrad y wrt x\n",
      "dim N\ninput x: f32[N, 4]\ninput t: i32[N]\nparam W: f32[4, 3] = 0\nparam b: f32[3] = 0\nh = relu(x @ W + b)\nloss = softmax_cross_entropy(h, t)\nloss loss\n",
      "input a: f64[2, 3] = 1\ny = sum((a.T).T * 1 + 0)\noutput y\ngrad y wrt a\n",
    ]) {
      const g = compile(text);
      const report: Parameters<typeof optimize>[2] & object = [];
      const reported = optimize(g, passes, report);
      expect(reported.nodes.map((n) => `${n.op}:${n.inputs.map((i) => i.id).join(",")}`)).toEqual(optimize(g).nodes.map((n) => `${n.op}:${n.inputs.map((i) => i.id).join(",")}`));
      expect(report.map((r) => r.pass.name)).toEqual(passes.map((p) => p.name));
      for (const r of report) {
        for (const w of r.rewrites) {
          expect(w.pass === r.pass.name || (w.pass === "fold" && r.pass.name === "fold-again")).toBe(true);
          expect(w.by.type.dtype).toBe(w.node.type.dtype);
          expect(w.by.type.shape).toEqual(w.node.type.shape);
        }
      }
      // passes chain: each starts from what the previous left
      for (let k = 1; k < report.length; k++) expect(report[k]!.before).toBe(report[k - 1]!.after);
    }
    // the third graph: a double transpose, x*1 and x+0 each reported by name
    const report: Parameters<typeof optimize>[2] & object = [];
    optimize(compile("input a: f64[2, 3] = 1\ny = sum((a.T).T * 1 + 0)\noutput y\ngrad y wrt a\n"), passes, report);
    const fired = report.flatMap((r) => r.rewrites.map((w) => w.rule));
    for (const rule of ["transpose-transpose", "mul-one", "add-zero"]) expect(fired, fired.join(" ")).toContain(rule);
  });
});
