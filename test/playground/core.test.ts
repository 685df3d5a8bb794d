/**
 * The playground's core, in Node: the backward pass walked node by node as the textbook
 * does, values as edges show them, the per-node gradient check, the diagram's DOT, the
 * examples in the tutorial's order — and the page's code type-checks with the DOM's types.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource, type Compiled } from "../../src/playground/core/compile.js";
import { checkNodes } from "../../src/playground/core/check.js";
import { diagramDot } from "../../src/playground/core/diagram.js";
import { backprop, clampStep } from "../../src/playground/core/steps.js";
import { num, summaryLines } from "../../src/render/summary.js";
import { nodeNames } from "../../src/graph/print.js";
import { tensor } from "../../src/tensor/tensor.js";
import { ROOT } from "../helpers.js";

const graph = (name: string) => readFileSync(`${ROOT}graphs/${name}.graph`, "utf8");

function compiled(name: string): Compiled {
  const c = compileSource(graph(name), `${name}.graph`);
  if (!c.ok) throw new Error(c.diagnostic.message);
  return c;
}

describe("the step-through backward pass", () => {
  it("walks the apple graph as the book does: 1.1 and 650, 1.1 and 1.1, then 3.3·165 and 2.2·110", () => {
    const c = compiled("apple");
    const b = backprop(c.graph, c.values)!;
    const sent = b.steps.map((s) => s.sent.map((e) => num(e.grad.data[0]!)));
    expect(sent).toEqual([
      ["1.1", "650"],
      ["1.1", "1.1"],
      ["3.3", "165"],
      ["2.2", "110"],
    ]);
    expect(b.steps.map((s) => num(s.upstream.data[0]!))).toEqual(["1", "1.1", "1.1", "1.1"]);
    expect([clampStep(2, b), clampStep(99, b), clampStep(-1, b), clampStep(NaN, b)]).toEqual([2, 4, 0, 0]);
  });

  it("sums the gradients a fan-out sends back and walks a tensor graph to its params", () => {
    const c = compiled("two_layer_net");
    const b = backprop(c.graph, c.values)!;
    expect(b.loss.id).toBe(c.graph.losses[0]!.node.id);
    expect(b.steps.length).toBe(6);
    const last = b.steps.at(-1)!;
    expect(last.sent.map((e) => e.input.kind)).toEqual(["param"]);
  });

  it("checks every node's gradient against central differences: all agree on the examples", () => {
    for (const name of ["apple", "affine", "softplus", "two_layer_net"]) {
      const c = compiled(name);
      const checks = checkNodes(backprop(c.graph, c.values)!, c.values, c.env);
      expect(checks.size, name).toBeGreaterThan(0);
      for (const [id, check] of checks) expect(check.verdict, `${name} node ${id}: ${check.text}`).not.toBe("bad");
    }
  });
});

describe("every example", () => {
  const names = readdirSync(`${ROOT}graphs`).filter((n) => n.endsWith(".graph")).map((n) => n.slice(0, -".graph".length));
  for (const name of names) {
    it(`${name}: compiles in the page, walks its backward pass, checks each node, ends its diagram with the seed`, () => {
      const c = compiled(name);
      const b = backprop(c.graph, c.values)!;
      expect(b.steps.length).toBeGreaterThan(0);
      for (const check of checkNodes(b, c.values, c.env).values()) expect(check.verdict, check.text).not.toBe("bad");
      const dot = diagramDot(c.graph, { values: c.values, backprop: b, step: b.steps.length, labels: nodeNames(c.graph) });
      expect(dot).toContain(`<font color="#c0392b">1</font>`);
    });
  }
});

describe("values on the edges", () => {
  it("shows a scalar as its number, up to 12 elements as rows, more as min / mean / max", () => {
    expect(num(715.0000000000001)).toBe("715");
    expect(num(3.3000000000000003)).toBe("3.3");
    expect(summaryLines(tensor([2, 2], [1, 2, 3, 4]), "f64")).toEqual(["f64[2,2]", "[1, 2]", "[3, 4]"]);
    expect(summaryLines(tensor([13], Array.from({ length: 13 }, (_, i) => i)), "f32")).toEqual(["f32[13]", "min 0 · mean 6 · max 12"]);
    // rounding's mean of a softmax gradient is not shown as a value; a small real mean is
    expect(summaryLines(tensor([13], [...Array.from({ length: 12 }, (_, i) => (i % 2 ? 0.1 : -0.1)), 2.78e-17]), "f64")[1]).toBe("min -0.1 · mean ≈0 · max 0.1");
    expect(summaryLines(tensor([13], [...Array.from({ length: 12 }, (_, i) => (i % 2 ? 0.1 : -0.1)), 1.3e-5]), "f64")[1]).toBe("min -0.1 · mean 1e-6 · max 0.1");
  });

  it("writes the gradients of processed nodes in red on arrows back along the edges, lays out the rest unseen, and outlines the node being processed", () => {
    const c = compiled("apple");
    const b = backprop(c.graph, c.values)!;
    const dot = (step: number) => diagramDot(c.graph, { values: c.values, backprop: b, step, labels: nodeNames(c.graph) });
    const drawn = (text: string) => text.split("\n").filter((l) => !l.includes("style=invis")).join("\n");
    const red = (text: string) => [...drawn(text).matchAll(/<font color="#c0392b">([^<]*)<\/font>/g)].map((m) => m[1]).sort();
    expect(red(dot(0))).toEqual(["1"]);
    expect(red(dot(1))).toEqual(["1", "1.1", "650"]);
    expect(red(dot(4))).toEqual(["1", "1.1", "1.1", "1.1", "110", "165", "2.2", "3.3", "650"]);
    const first = b.steps[0]!.node.id;
    expect(dot(1)).toContain(`tooltip="price", id="node-${first}", class="node-op", penwidth=3`);
    expect(dot(0)).not.toContain("penwidth=3");
    // every arrow back is in the layout from step 0: the picture does not move as it fills in
    const arrows = (text: string) => text.match(/id="grad-\d+-\d+"/g)?.sort();
    expect(arrows(dot(0))).toHaveLength(8);
    expect(arrows(dot(0))).toEqual(arrows(dot(4)));
    expect(dot(4)).not.toContain("style=invis");
  });
});

describe("the diagram of a long graph", () => {
  it("writes a constant beside each of its uses, so no node pulls edges from all over the picture", () => {
    const lines = ["input x0 = 0.5", ...Array.from({ length: 30 }, (_, i) => `x${i + 1} = tanh(x${i}) * 1.01`), "output x30", "grad x30 wrt x0"];
    const c = compileSource(lines.join("\n"), "chain.graph");
    if (!c.ok) throw new Error(c.diagnostic.message);
    const dot = diagramDot(c.graph, { values: c.values, backprop: backprop(c.graph, c.values), step: 0, labels: nodeNames(c.graph) });
    expect(dot.match(/class="node-const"/g)).toHaveLength(30);
    expect(dot.match(/^ {2}c\d+_1 -> n\d+/gm)).toHaveLength(30);
  });
});

describe("the page", () => {
  it("reports a user's mistake as the compiler's located diagnostic", () => {
    const r = compileSource("input a = 1\nb = a * c\noutput b\n", "typo.graph");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect([r.diagnostic.id, r.diagnostic.span?.line, r.diagnostic.span?.col]).toEqual(["unknown_name", 2, 9]);
  });

  it("lists the examples in the tutorial's order, then the rest by name", async () => {
    const { examples } = await import("../../scripts/build-playground.js");
    const names = examples().map((e) => e.name);
    expect(names.slice(0, 7)).toEqual(["apple", "mul_add", "relu", "sigmoid", "affine", "softmax_with_loss", "two_layer_net"]);
    const all = readdirSync(`${ROOT}graphs`).filter((n) => n.endsWith(".graph")).map((n) => n.slice(0, -6));
    expect([...names].sort()).toEqual(all.sort());
  });

  it("type-checks with the DOM's types (src/playground/tsconfig.json)", { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "--noEmit", "-p", `${ROOT}src/playground`], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
  });
});
