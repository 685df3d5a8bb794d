/** Matrix product `@`: the heart of the textbook's Affine layer. */
import * as errors from "../diagnostics/errors.js";
import type { Node } from "../graph/ir.js";
import { tensor } from "../tensor/tensor.js";
import { formatType, isFloat, promote, type Dim } from "../tensor/types.js";
import { matmul, mul, reshape, transpose } from "./sugar.js";
import { defineOp } from "./types.js";

export const matmulOps = [
  defineOp({
    name: "matmul",
    glyph: "dot",
    doc: "x @ y: [m,k] @ [k,n] → [m,n], also [k] @ [k,n] → [n], [m,k] @ [k] → [m] and [k] @ [k] → scalar. Gradients g @ yᵀ and xᵀ @ g.",
    inputs: ["x", "y"],
    attrs: {},
    traits: { batch: "rows" },
    type: ([x, y], _attrs, ctx) => {
      const a = x!.shape;
      const b = y!.shape;
      if (a.length === 0 || b.length === 0 || a.length > 2 || b.length > 2) {
        ctx.fail(errors.matmulRank, { x: formatType(x!), y: formatType(y!) });
      }
      const k1 = a[a.length - 1];
      const k2 = b.length === 2 ? b[0] : b[0];
      if (k1 !== k2) ctx.fail(errors.matmulInnerDims, { x: formatType(x!), y: formatType(y!) });
      const shape: Dim[] = [];
      if (a.length === 2) shape.push(a[0]!);
      if (b.length === 2) shape.push(b[1]!);
      const dtype = promote(x!, y!);
      return { dtype: isFloat(dtype) ? dtype : "f64", shape };
    },
    eval: ([x, y], _attrs, out) => {
      const m = x!.shape.length === 2 ? x!.shape[0]! : 1;
      const k = x!.shape[x!.shape.length - 1]!;
      const n = y!.shape.length === 2 ? y!.shape[1]! : 1;
      const r = tensor(out);
      gemm(x!.data, y!.data, r.data, m, k, n);
      return r;
    },
    kernel: { kind: "matmul" },
    onnx: "MatMul",
    vjp: (b, node, g, needs) => {
      const [x, y] = node.inputs as [Node, Node];
      const xr = x.type.shape.length;
      const yr = y.type.shape.length;
      if (xr === 1 && yr === 1) return [needs[0] ? mul(b, g, y) : null, needs[1] ? mul(b, g, x) : null];
      if (xr === 1) {
        // [k] @ [k,n]: dx = y @ g, dy = outer(x, g)
        const outer = () => matmul(b, reshape(b, x, [x.type.shape[0]!, 1]), reshape(b, g, [1, y.type.shape[1]!]));
        return [needs[0] ? matmul(b, y, g) : null, needs[1] ? outer() : null];
      }
      if (yr === 1) {
        // [m,k] @ [k]: dx = outer(g, y), dy = xᵀ @ g
        const outer = () => matmul(b, reshape(b, g, [x.type.shape[0]!, 1]), reshape(b, y, [1, y.type.shape[0]!]));
        return [needs[0] ? outer() : null, needs[1] ? matmul(b, transpose(b, x), g) : null];
      }
      return [needs[0] ? matmul(b, g, transpose(b, y)) : null, needs[1] ? matmul(b, transpose(b, x), g) : null];
    },
  }),
];

/** c += a·b for row-major a [m,k], b [k,n], c [m,n]: the plain i-p-j loop. */
function gemm(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      const col = p * n;
      for (let j = 0; j < n; j++) c[row + j]! += av * b[col + j]!;
    }
  }
}
