/**
 * A compiled classifier: the generated module of a graph with an image input
 * `x: [N, 784]`, integer labels `t: [N]`, a loss and a score output `[N, C]`; its
 * params, initialized from their `~ INIT` with a seed; and accuracy by forward-only
 * passes over a data split, in chunks, with no allocation per chunk.
 */
import * as errors from "../diagnostics/errors.js";
import type { Graph, Node } from "../graph/ir.js";
import { resolveShape } from "../tensor/types.js";
import { initialize } from "./bind.js";
import type { CompiledModule, CompiledWorkspace } from "./load.js";
import { fillBatch, type Split } from "./mnist.js";
import type { FloatArray } from "./optimizers.js";
import { Random } from "../tensor/random.js";

export interface Classifier {
  readonly graph: Graph;
  readonly module: CompiledModule;
  readonly x: string;
  readonly t: string;
  readonly loss: string;
  readonly score: string;
  readonly params: Record<string, FloatArray>;
  readonly dim: string;
}

const arrayFor = (n: Node, length: number): FloatArray => (n.type.dtype === "f32" ? new Float32Array(length) : new Float64Array(length));

export function classifier(graph: Graph, module: CompiledModule, seed: number): Classifier {
  const x = graph.inputs.find((i) => i.node.type.dtype !== "i32" && i.node.type.shape.length === 2 && i.node.type.shape[1] === 784);
  const t = graph.inputs.find((i) => i.node.type.dtype === "i32" && i.node.type.shape.length === 1);
  const loss = graph.losses[0];
  const dim = x?.node.type.shape[0];
  const score = graph.outputs.find((o) => o.node.type.shape.length === 2 && o.node.type.shape[0] === dim);
  if (!x || !t || !loss || !score || typeof dim !== "string") {
    errors.notTrainable({ file: graph.file });
  }
  const rng = new Random(seed);
  const dims = new Map([[dim, 1]]);
  // no prototype: a param may be called __proto__ (a plain object would take it as its prototype)
  const params: Record<string, FloatArray> = Object.create(null) as Record<string, FloatArray>;
  for (const p of graph.params) {
    const shape = resolveShape(p.node.type.shape, dims);
    const value = initialize(p.init, shape, rng);
    const arr = arrayFor(p.node, value.data.length);
    arr.set(value.data);
    params[p.name] = arr;
  }
  return { graph, module, x: x.name, t: t.name, loss: loss.name, score: score.name, params, dim };
}

/** Batch buffers for a classifier: reused for every batch. */
export interface Batch {
  readonly size: number;
  readonly ws: CompiledWorkspace;
  readonly inputs: Record<string, FloatArray | Int32Array>;
  readonly x: FloatArray;
  readonly t: Int32Array;
  readonly indices: Int32Array;
}

export function batch(c: Classifier, size: number): Batch {
  const xNode = c.graph.inputs.find((i) => i.name === c.x)!.node;
  const x = arrayFor(xNode, size * 784);
  const t = new Int32Array(size);
  return { size, ws: c.module.createWorkspace({ [c.dim]: size }), inputs: { [c.x]: x, [c.t]: t }, x, t, indices: new Int32Array(size) };
}

/** Accuracy on a split (or its first `limit` images), by forward passes over `b.size` at a time. */
export function accuracy(c: Classifier, b: Batch, s: Split, limit = s.count): number {
  const n = Math.min(limit, s.count);
  if (n === 0) return NaN;
  let correct = 0;
  for (let start = 0; start < n; start += b.size) {
    // the last chunk is padded with its own first image and only its real rows are counted:
    // every image is evaluated (fewer than a batch gave "test acc 0.0000"), with the same workspace
    const rows = Math.min(b.size, n - start);
    for (let i = 0; i < b.size; i++) b.indices[i] = start + (i < rows ? i : 0);
    fillBatch(s, b.indices, b.x, b.t);
    const scores = c.module.forward(b.ws, b.inputs, c.params)[c.score] as FloatArray;
    correct += countCorrect(scores, b.t, rows);
  }
  return correct / n;
}

/** How many of the first `rows` rows of scores have their first maximum at the label. */
export function countCorrect(scores: FloatArray, t: Int32Array, rows = t.length): number {
  const classes = scores.length / t.length;
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (scores[i * classes + j]! > scores[i * classes + best]!) best = j;
    if (best === t[i]) correct++;
  }
  return correct;
}
