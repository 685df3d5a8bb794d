/**
 * ONNX export, checked by running the exported models in ONNX Runtime (onnxruntime-node)
 * and comparing with gradc's compiled modules on the same seeded values: every graph
 * of graphs/ and an expression per op of the table.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { exportOnnx } from "../../src/export/onnx.js";
import { ModelProtoSchema } from "../../src/export/proto/onnx_pb.js";
import type { Graph } from "../../src/graph/ir.js";
import { resolveShape } from "../../src/tensor/types.js";
import { bind, loadGraph, type Bindings } from "../../src/index.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { compile, expectReported, gradc, ROOT } from "../helpers.js";
import { CASES, PRELUDE } from "../ops/cases.js";

const ORT_TYPE = { f32: "float32", f64: "float64", i32: "int32" } as const;
const ARRAY = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;

/** Runs the exported model in ONNX Runtime on the bound values: name → flat values. */
async function runOnnx(graph: Graph, env: Bindings, losses = true): Promise<Map<string, ArrayLike<number>>> {
  const params = new Map([...env.values].filter(([n]) => graph.params.some((p) => p.name === n)));
  const model = exportOnnx(graph, { values: params, losses });
  const session = await ort.InferenceSession.create(model.bytes, { logSeverityLevel: 3 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of model.inputs) {
    const v = env.values.get(i.name)!;
    const dtype = i.node.type.dtype;
    feeds[i.name] = new ort.Tensor(ORT_TYPE[dtype], ARRAY[dtype].from(v.data), resolveShape(i.node.type.shape, env.dims) as number[]);
  }
  const out = await session.run(feeds);
  return new Map(model.outputs.map((o) => [o.name, out[o.name]!.data as ArrayLike<number>]));
}

/** The compiled module's forward pass (outputs and losses): name → flat values. */
async function runModule(graph: Graph, env: Bindings): Promise<Map<string, ArrayLike<number>>> {
  const mod = await loadCompiled(graph);
  const arrays = (decls: Graph["inputs"] | Graph["params"]) =>
    Object.fromEntries(decls.map((d) => [d.name, d.node.type.shape.length === 0 ? env.values.get(d.name)!.data[0] : ARRAY[d.node.type.dtype].from(env.values.get(d.name)!.data)]));
  const ws = mod.createWorkspace(Object.fromEntries(graph.dims.map((d) => [d, env.dims.get(d)!])));
  const out = mod.forward(ws, arrays(graph.inputs), arrays(graph.params)) as Record<string, number | ArrayLike<number>>;
  return new Map([...graph.outputs, ...graph.losses].map((o) => [o.name, Array.from(typeof out[o.name] === "number" ? [out[o.name] as number] : (out[o.name] as ArrayLike<number>))]));
}

/** The largest difference, relative to the value where it is above 1. */
function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return w;
}

async function expectRoundTrip(graph: Graph, seed: number): Promise<void> {
  const env = bind(graph, { seed });
  const [onnx, ours] = await Promise.all([runOnnx(graph, env), runModule(graph, env)]);
  expect([...onnx.keys()].sort()).toEqual([...ours.keys()].sort());
  const diffs = [...ours].map(([name, v]) => ({ name, diff: worst(onnx.get(name)!, v) }));
  expect(diffs.length).toBeGreaterThan(0);
  expect(diffs.filter((d) => !(d.diff <= 1e-5))).toEqual([]);
}

describe("ONNX Runtime runs the exported graphs of graphs/ like the compiled modules (within 1e-5)", () => {
  const files = readdirSync(join(ROOT, "graphs")).filter((f) => f.endsWith(".graph"));
  it("covers the example graphs", () => expect(files.length).toBeGreaterThanOrEqual(10));
  for (const f of files) {
    it(f, async () => {
      const graph = loadGraph(join(ROOT, "graphs", f));
      for (const seed of [1, 2]) await expectRoundTrip(graph, seed);
    });
  }
});

describe("every op of the table exports (an expression per op, float64)", () => {
  for (const entry of CASES) {
    const expr = typeof entry === "string" ? entry : entry[0];
    it(expr, async () => {
      const graph = compile(`${PRELUDE}y = ${expr}\noutput y\n`);
      await expectRoundTrip(graph, 1);
    });
  }
});

describe("gradc export", () => {
  it("writes the model and says what it holds; the same graph gives the same bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradc-onnx-"));
    const out = join(dir, "net.onnx");
    const r = gradc(["export", "graphs/two_layer_net.graph", "--onnx", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*net\.onnx \(ONNX opset 17, \d+ nodes, [\d,]+ bytes\)\n  inputs   x: f32\[N, 784\], t: i32\[N\]\n  outputs  score: f32\[N, 10\], loss: f32\n  params   39,760 values, initialized with seed 1\n$/);
    const first = readFileSync(out);
    expect(gradc(["export", "graphs/two_layer_net.graph", "--onnx", out]).code).toBe(0);
    expect(readFileSync(out).equals(first)).toBe(true);
    const decoded = fromBinary(ModelProtoSchema, first);
    expect(decoded.opsetImport[0]!.version).toBe(17n);
    expect(decoded.graph!.initializer.map((t) => t.name).slice(0, 4)).toEqual(["W1", "b1", "W2", "b2"]);
    // each node says where it came from
    expect(decoded.graph!.node.find((n) => n.opType === "MatMul")!.docString).toMatch(/two_layer_net\.graph:10: h\s+= relu\(x @ W1 \+ b1\)/);
  });

  it("--no-loss exports the outputs only, and labels are no longer inputs", () => {
    const out = join(mkdtempSync(join(tmpdir(), "gradc-onnx-")), "net.onnx");
    const r = gradc(["export", "graphs/two_layer_net.graph", "--onnx", out, "--no-loss"]);
    expect(r.stdout).toContain("inputs   x: f32[N, 784]\n  outputs  score: f32[N, 10]\n");
  });

  it("asks for --onnx, and names a checkpoint it cannot read", () => {
    const r = gradc(["export", "graphs/apple.graph"]);
    expect([r.code, r.stderr]).toEqual([1, "gradc: error: required option '--onnx <out.onnx>' not specified\n"]);
    const bad = gradc(["export", "graphs/two_layer_net.graph", "--onnx", join(tmpdir(), "x.onnx"), "--checkpoint", "nope.bin"]);
    expect([bad.code, bad.stderr]).toEqual([1, "gradc: error: cannot read checkpoint nope.bin: no such file\n"]);
    expectReported(bad, "cannot_read_checkpoint");
  });
});
