/**
 * Values for a run: each input from --set/--inputs or its default, else seeded
 * random data; each param from --set/--inputs or its initializer. Symbolic dims are
 * bound from the shapes of the given values; a dim nothing binds is 3 (the textbook
 * checks gradients on 3 samples).
 */
import * as errors from "../diagnostics/errors.js";
import { isInput, type Graph, type InitSpec, type Node } from "../graph/ir.js";
import { filled, size, tensor, type Tensor } from "../tensor/tensor.js";
import { formatShape, formatType, resolveShape, type Shape } from "../tensor/types.js";
import type { Bindings } from "../interp/index.js";
import { checkClassIndices, labelClassCount } from "../graph/lower.js";
import { Random } from "../tensor/random.js";

export const DEFAULT_DIM = 3;
export const DEFAULT_SEED = 1;

export interface BindOptions {
  /** values given by the user, by input or param name */
  readonly given?: ReadonlyMap<string, Tensor>;
  readonly seed?: number;
}

export function bind(graph: Graph, options: BindOptions = {}): Bindings {
  const given = options.given ?? new Map<string, Tensor>();
  const known = new Set([...graph.inputs, ...graph.params].map((d) => d.name));
  for (const name of given.keys()) {
    if (graph.dims.includes(name)) errors.setDim({ name, file: graph.file });
    if (!known.has(name)) errors.notInputOrParam({ name, file: graph.file });
  }
  const dims = new Map<string, number>();
  const values = new Map<string, Tensor>();
  const fixed = [
    ...graph.inputs.map((i) => ({ name: i.name, node: i.node, value: given.get(i.name) ?? i.default })),
    ...graph.params.map((p) => ({ name: p.name, node: p.node, value: given.get(p.name) ?? (p.init.kind === "value" ? p.init.value : undefined) })),
  ];
  for (const f of fixed) {
    if (!f.value) continue;
    const v = f.value.shape.length === 0 && f.node.type.shape.length > 0 && !given.has(f.name) ? undefined : f.value;
    if (v) values.set(f.name, check(f.name, f.node, v, dims));
  }
  for (const d of graph.dims) if (!dims.has(d)) dims.set(d, DEFAULT_DIM);
  const rng = new Random(options.seed ?? DEFAULT_SEED);
  for (const f of fixed) {
    if (values.has(f.name)) continue;
    const shape = resolveShape(f.node.type.shape, dims);
    if (f.value) values.set(f.name, filled(shape, f.value.data[0]!));
    else if (isInput(f.node)) values.set(f.name, randomInput(graph, f.node, shape, rng, dims));
  }
  for (const p of graph.params) {
    if (!values.has(p.name)) values.set(p.name, initialize(p.init, resolveShape(p.node.type.shape, dims), rng));
  }
  checkLabels(graph, values, dims);
  return { values, dims };
}

/** Class indices must name a class of the loss (or onehot) they feed: 5 with 3 classes gave L = NaN in silence. */
function checkLabels(graph: Graph, values: ReadonlyMap<string, Tensor>, dims: ReadonlyMap<string, number>): void {
  for (const d of graph.inputs) {
    const c = d.node.type.dtype === "i32" ? classCount(graph, d.node, dims) : undefined;
    const v = values.get(d.name);
    if (c !== undefined && v) checkClassIndices(d.name, v.data, c);
  }
}

/** Checks a value against its declaration and binds the dims it fixes. */
function check(name: string, node: Node, v: Tensor, dims: Map<string, number>): Tensor {
  const shape = node.type.shape;
  const bad = () => errors.givenShapeMismatch({ name, type: formatType(node.type), shape: formatShape(v.shape) });
  if (v.shape.length !== shape.length) bad();
  shape.forEach((d, i) => {
    const n = v.shape[i]!;
    if (typeof d === "number") {
      if (d !== n) bad();
    } else if (!d.includes("*")) {
      const old = dims.get(d);
      if (old !== undefined && old !== n) errors.dimConflict({ name, dim: d, size: n, earlier: old });
      dims.set(d, n);
    }
  });
  if (node.type.dtype === "i32" && !v.data.every(Number.isInteger)) errors.givenNotIntegers({ name });
  // an int32 array would wrap 3000000000 to -1294967296 in silence
  const wide = node.type.dtype === "i32" ? v.data.find((x) => x < -(2 ** 31) || x > 2 ** 31 - 1) : undefined;
  if (wide !== undefined) errors.givenOutsideInt32({ name, value: wide });
  return v;
}

/** The class count of an i32 input that feeds a loss or onehot, if any (a dim C: the size the inputs bound it to). */
function classCount(graph: Graph, input: Node, dims: ReadonlyMap<string, number>): number | undefined {
  const c = labelClassCount(graph.nodes, input);
  return typeof c === "string" ? dims.get(c) : c;
}

function randomInput(graph: Graph, node: Node, shape: number[], rng: Random, dims: ReadonlyMap<string, number>): Tensor {
  const t = tensor(shape);
  if (node.type.dtype === "i32") {
    const c = classCount(graph, node, dims) ?? 10;
    for (let i = 0; i < t.data.length; i++) t.data[i] = rng.int(c);
  } else for (let i = 0; i < t.data.length; i++) t.data[i] = rng.uniform();
  return t;
}

/** Initial value of a param; fan_in is the product of all axes but the last. */
export function initialize(init: InitSpec, shape: readonly number[], rng: Random): Tensor {
  const fanIn = Math.max(1, size(shape.slice(0, -1)));
  const t = tensor(shape);
  const fill = (f: () => number) => {
    for (let i = 0; i < t.data.length; i++) t.data[i] = f();
  };
  switch (init.kind) {
    case "value":
      return init.value.shape.length === 0 ? filled(shape, init.value.data[0]!) : init.value;
    case "zeros":
      return t;
    case "ones":
      return filled(shape, 1);
    case "normal":
      fill(() => init.mean + init.std * rng.normal());
      return t;
    case "uniform":
      fill(() => init.low + (init.high - init.low) * rng.uniform());
      return t;
    case "he":
    case "xavier": {
      const std = Math.sqrt((init.kind === "he" ? 2 : 1) / fanIn);
      fill(() => std * rng.normal());
      return t;
    }
  }
}

export type { Shape };
