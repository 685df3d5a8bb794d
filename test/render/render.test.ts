/**
 * Diagrams: the textbook's apple figure with its values and gradients, the backward pass
 * on the forward graph's nodes, names instead of ids, tensor summaries, every graph
 * rendered forward and backward without a Graphviz error, a golden DOT file, and a
 * 500-node graph in under 3 seconds.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderDot } from "../../src/cli/render.js";
import { dotToSvg } from "../../src/render/svg.js";
import { compile, gradc, ROOT } from "../helpers.js";

const graphs = readdirSync(`${ROOT}graphs`).filter((f) => f.endsWith(".graph")).sort();
const load = (f: string) => compile(readFileSync(`${ROOT}graphs/${f}`, "utf8"), `graphs/${f}`);

/** The text of an SVG's <text> elements, with their fill colour. */
function texts(svg: string): { text: string; fill: string }[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ fill: /fill="([^"]*)"/.exec(m[1]!)?.[1] ?? "", text: m[2]!.trim() }));
}

describe("gradc render", () => {
  it("draws the apple graph like the textbook: values above the edges, gradients below in red", () => {
    const out = join(mkdtempSync(join(tmpdir(), "gradc-render-")), "apple.svg");
    const r = gradc(["render", "graphs/apple.graph", "--backward", "--values", "-o", out]);
    expect(r.code).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg).toMatch(/^<\?xml[^]*<svg[^]*<\/svg>\s*$/);
    const all = texts(svg);
    const values = all.filter((t) => t.fill !== "#c0392b").map((t) => t.text);
    const grads = all.filter((t) => t.fill === "#c0392b").map((t) => t.text);
    for (const v of ["100", "2", "150", "3", "200", "450", "650", "715", "1.1"]) expect(values, v).toContain(v);
    for (const v of ["1", "1.1", "2.2", "110", "3.3", "165", "650"]) expect(grads, v).toContain(v);
    expect(values).toEqual(expect.arrayContaining(["apple", "apple_num", "orange", "orange_num", "tax", "price", "×", "+"]));
  });

  it("--backward draws the backward pass on the forward graph's own nodes: one red arrow back per edge that carries a gradient", () => {
    const g = load("apple.graph");
    const forward = renderDot(g, {});
    const backward = renderDot(g, { backward: true });
    const nodes = (dot: string) => dot.split("\n").filter((l) => /^ {2}n\d+ \[/.test(l));
    expect(nodes(backward)).toEqual(nodes(forward));
    expect(backward).not.toMatch(/subgraph|dashed|constraint=false/);
    const arrows = [...backward.matchAll(/^ {2}(n\d+) -> (n\d+) \[dir=back,.*id="grad-(\d+)-(\d+)"/gm)];
    expect(arrows).toHaveLength(8);
    // each arrow back runs along a forward edge, between the same two nodes
    for (const [, from, to, user, k] of arrows) {
      expect(forward).toContain(`  ${from} -> ${to} [label=`);
      expect(`n${user}`).toBe(to);
      expect(backward).toContain(`id="edge-${user}-${k}"`);
    }
    // without values each arrow says what it carries: the loss by the edge's tail
    expect(backward).toContain("∂price/∂apple<");
    expect(backward).toContain("∂price/∂all_price<");
  });

  it("names every node by its .graph name, else its glyph and source line — no node is an id", () => {
    const g = load("two_layer_net.graph");
    for (const flags of [{}, { backward: true }, { backward: true, values: true }, { optimized: true, backward: true }, { optimized: true, backward: true, values: true }]) {
      const dot = renderDot(g, flags);
      expect(dot, JSON.stringify(flags)).not.toMatch(/%\d/);
      expect(dot).not.toMatch(/label="t\d+"|tooltip="t\d+"/);
    }
    expect(renderDot(g, { backward: true })).toMatch(/tooltip="dot \(line \d+\)"/);
    expect(renderDot(g, { backward: true })).toContain("∂loss/∂dot (line ");
  });

  it("draws a glyph of two lines on two lines, and names an unnamed node by what its circle shows", async () => {
    const svg = await dotToSvg(renderDot(load("two_layer_net.graph"), { backward: true }));
    const all = texts(svg).map((t) => t.text);
    expect(all).toEqual(expect.arrayContaining(["Softmax", "WithLoss"]));
    expect(svg).not.toContain("\\n");
    expect(all).toContain("∂loss/∂dot (line 10)");
  });

  it("says under a figure which values were drawn at random, and names each kind of figure apart", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-render-"));
    const run = (flags: string[]) => spawnSync(process.execPath, [`${ROOT}bin/gradc.js`, "render", `${ROOT}graphs/two_layer_net.graph`, ...flags], { cwd: dir, encoding: "utf8" });
    for (const flags of [[], ["--backward"], ["--backward", "--values"], ["--optimized", "--backward"]]) expect(run(flags).status).toBe(0);
    expect(readdirSync(join(dir, "runs")).sort()).toEqual(["two_layer_net.backward.svg", "two_layer_net.backward.values.svg", "two_layer_net.optimized.backward.svg", "two_layer_net.svg"]);
    const caption = renderDot(load("two_layer_net.graph"), { values: true });
    expect(caption).toContain('label="x, t: random values (seed 1, N = 3); --set or --inputs give your own"');
    expect(renderDot(load("apple.graph"), { values: true })).not.toContain("random");
  });

  it("summarises a tensor on its edge: up to 12 elements as rows of numbers, more as min · mean · max", () => {
    const dot = renderDot(load("two_layer_net.graph"), { backward: true, values: true });
    expect(dot).toMatch(/f32\[3,784\]<\/font><br\/><font color="#1b1b1b">min [-\d.e]+ · mean [-\d.e]+ · max [-\d.e]+</);
    expect(dot).toMatch(/<font color="#c0392b">f32\[784,50\]<\/font><br\/><font color="#c0392b">min /);
    const small = renderDot(compile("input x: f64[2, 2] = [[1, 2], [3, 4]]\ninput w: f64[2, 2] = [[5, 6], [7, 8]]\ny = sum(x * w)\noutput y\ngrad y wrt x"), { backward: true, values: true });
    expect(small).toContain(`<font color="#1b1b1b">[1, 2]</font><br/><font color="#1b1b1b">[3, 4]</font>`);
    expect(small).toContain(`<font color="#c0392b">[5, 6]</font><br/><font color="#c0392b">[7, 8]</font>`);
  });

  it("writes a constant beside each of its uses, so a long chain of `* 1.01` lays out like any other", () => {
    const lines = ["input x0 = 0.5", ...Array.from({ length: 40 }, (_, i) => `x${i + 1} = tanh(x${i}) * 1.01`), "output x40", "grad x40 wrt x0"];
    const dot = renderDot(compile(lines.join("\n")), { backward: true, values: true });
    expect(dot.match(/class="node-const"/g)).toHaveLength(40);
    expect(dot.match(/^ {2}c\d+_1 -> n\d+ \[label/gm)).toHaveLength(40);
  });

  it("--optimized draws the program that runs: each kernel a cluster, the gradient kernels in red with their values", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-render-"));
    const reds = (file: string, extra: string[]) => {
      const out = join(dir, `${file}${extra.join("")}.svg`);
      expect(gradc(["render", `graphs/${file}.graph`, "--backward", "--values", ...extra, "-o", out]).code).toBe(0);
      return texts(readFileSync(out, "utf8")).filter((t) => t.fill === "#c0392b").map((t) => t.text);
    };
    const apple = reds("apple", ["--optimized"]);
    for (const v of ["2.2", "110", "3.3", "165", "650", "∂price/∂apple", "∂price/∂tax"]) expect(apple, v).toContain(v);
    const net = reds("two_layer_net", ["--optimized"]);
    for (const v of ["∂loss/∂W1", "∂loss/∂b1", "∂loss/∂W2", "∂loss/∂b2"]) expect(net, v).toContain(v);
  });

  for (const file of graphs) {
    it(`${file} renders forward and backward, with values, with no Graphviz error`, async () => {
      const g = load(file);
      for (const flags of [{}, { backward: true }, { values: true, backward: true }, { optimized: true }]) {
        const svg = await dotToSvg(renderDot(g, flags));
        expect(svg).toContain("</svg>");
      }
    });
  }

  it("clusters the nodes of each fused kernel with --optimized", () => {
    const dot = renderDot(load("two_layer_net.graph"), { optimized: true, backward: true });
    expect(dot).toContain('label="affine_relu_h"');
    expect(dot).toContain('label="softmax_ce_grad_score"');
  });

  it("prints DOT with --dot", () => {
    const r = gradc(["render", "graphs/mul_add.graph", "--dot"]);
    expect(r.stdout).toMatch(/^digraph "graphs\/mul_add.graph" \{/);
  });

  it("keeps the DOT of the apple figure as its golden file (UPDATE_GOLDEN=1 rewrites it)", () => {
    const dot = renderDot(load("apple.graph"), { backward: true, values: true });
    const golden = `${ROOT}test/render/golden/apple.backward.values.dot`;
    if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(golden)) writeFileSync(golden, dot);
    expect(dot).toBe(readFileSync(golden, "utf8"));
  });

  it("renders a graph of 500 nodes, 500 ranks deep, in under 3 s", { timeout: 30_000 }, async () => {
    await dotToSvg("digraph { a -> b }"); // Graphviz loads once per process: not part of the figure
    const lines = ["input x0: f64[3]"];
    for (let i = 1; i < 250; i++) lines.push(`x${i} = ${i % 2 ? "tanh" : "exp"}(x${i - 1}) * x${Math.max(0, i - 2)}`);
    lines.push(`y = sum(x249)\noutput y`);
    const g = compile(lines.join("\n"));
    expect(g.nodes.length).toBeGreaterThanOrEqual(500);
    const t0 = performance.now();
    await dotToSvg(renderDot(g, { values: true }));
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
