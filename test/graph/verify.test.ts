/**
 * The IR verifier: sound graphs pass it after every optimizer pass (the tests run with it
 * on everywhere, vitest.config.ts), each broken invariant is caught with a sentence that
 * says which, and a pass that breaks one is named.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Graph, Node } from "../../src/graph/ir.js";
import { verifyGraph } from "../../src/graph/verify.js";
import { optimize, passes } from "../../src/optimize/pipeline.js";
import { compileText, loadGraph } from "../../src/pipeline.js";
import { randomGraph } from "../gen/random-graph.js";
import { ROOT, gradc } from "../helpers.js";

const affine = () => loadGraph(`${ROOT}graphs/affine.graph`);

describe("the IR verifier", () => {
  it("is on in the tests", () => expect(process.env["GRADC_VERIFY"]).toBe("1"));

  it("finds every graph of graphs/ sound after every pass", () => {
    for (const f of readdirSync(`${ROOT}graphs`).filter((n) => n.endsWith(".graph"))) {
      let g = loadGraph(`${ROOT}graphs/${f}`);
      expect(verifyGraph(g), f).toBeUndefined();
      for (const p of passes) {
        g = p.run(g);
        expect(verifyGraph(g), `${f} after ${p.name}`).toBeUndefined();
      }
    }
  });

  it("finds 200 random graphs with hostile names sound after optimization", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { text } = randomGraph(seed, { hostile: true });
      expect(verifyGraph(optimize(compileText(text, `random-${seed}.graph`))), text).toBeUndefined();
    }
  });

  const broken: [string, (g: Graph) => Graph, RegExp][] = [
    ["nodes out of order", (g) => ({ ...g, nodes: [...g.nodes].reverse() }), /^node \d+ \(\w+\) reads node \d+ \(\w+\), which comes after it: not a topological order$/],
    ["ids that do not ascend", (g) => ({ ...g, nodes: g.nodes.map((n, i): Node => (i === 1 ? { ...n, id: 0 } : n)) }), /^node 0 \(\w+\) comes after node 0: ids must ascend$/],
    ["a dangling input", (g) => ({ ...g, nodes: g.nodes.filter((n) => n.op !== "param") }), /reads node \d+ \(param\), which is not in the graph/],
    ["a wrong type", (g) => ({ ...g, nodes: g.nodes.map((n): Node => (n.op === "matmul" ? { ...n, type: { dtype: n.type.dtype, shape: [7, 7] } } : n)) }), /\(matmul\): its type is f64\[7, 7\], but matmul of its inputs gives f64\[/],
    ["an output outside the graph", (g) => ({ ...g, outputs: [{ name: "Y", node: { ...g.outputs[0]!.node, id: 999 } }] }), /^output Y points at node 999 .*not in the graph$/],
    ["a constant of the wrong size", (g) => ({ ...g, nodes: g.nodes.map((n): Node => (n.op === "const" ? { ...n, type: { dtype: "f64", shape: [3] } } : n)) }), /\(const\): its value has \d+ elements, its type 3/],
  ];
  for (const [what, breakIt, message] of broken) {
    it(`catches ${what}`, () => expect(verifyGraph(breakIt(affine()))).toMatch(message));
  }

  it("names the pass that broke the graph", () => {
    const evil = { name: "evil", why: "drops the first node", run: (g: Graph) => ({ ...g, nodes: g.nodes.slice(1) }) };
    expect(() => optimize(affine(), [...passes, evil])).toThrow(/^internal error: after the evil pass, the IR verifier found node \d+ \(\w+\) reads node 0/);
  });

  it("runs under gradc compile --verify", () => {
    const out = join(mkdtempSync(join(tmpdir(), "gradc-verify-")), "affine.ts");
    const r = gradc(["compile", "graphs/affine.graph", "-o", out, "--verify"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
