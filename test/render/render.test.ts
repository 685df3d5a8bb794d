/**
 * Diagrams: the textbook's apple figure with its values and gradients, every graph
 * rendered forward and backward without a Graphviz error, a golden DOT file, and a
 * 500-node graph in under 3 seconds.
 */
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

  it("--optimized keeps the gradients under the edges (the rebuilt graph carries them)", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-render-"));
    const reds = (file: string, extra: string[]) => {
      const out = join(dir, `${file}${extra.join("")}.svg`);
      expect(gradc(["render", `graphs/${file}.graph`, "--backward", "--values", ...extra, "-o", out]).code).toBe(0);
      return texts(readFileSync(out, "utf8")).filter((t) => t.fill === "#c0392b").map((t) => t.text);
    };
    const apple = reds("apple", ["--optimized"]);
    for (const v of ["1.1", "2.2", "110", "3.3", "165", "650"]) expect(apple, v).toContain(v);
    // before: one red label (the seed) on the optimized TwoLayerNet, ten without --optimized
    expect(reds("two_layer_net", ["--optimized"]).length).toBe(reds("two_layer_net", []).length);
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
