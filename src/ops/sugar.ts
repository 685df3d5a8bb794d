/** Short names for building nodes inside VJP rules and composites. */
import type { Node } from "../graph/ir.js";
import type { GraphBuilder } from "./types.js";

export const add = (b: GraphBuilder, x: Node, y: Node): Node => b.op("add", [x, y]);
export const sub = (b: GraphBuilder, x: Node, y: Node): Node => b.op("sub", [x, y]);
export const mul = (b: GraphBuilder, x: Node, y: Node): Node => b.op("mul", [x, y]);
export const div = (b: GraphBuilder, x: Node, y: Node): Node => b.op("div", [x, y]);
export const neg = (b: GraphBuilder, x: Node): Node => b.op("neg", [x]);
export const num = (b: GraphBuilder, v: number, like?: Node): Node => b.constant(v, like);
export const sum = (b: GraphBuilder, x: Node, axes: readonly number[] | null, keepdims = false): Node =>
  b.op("sum", [x], { axis: axes, keepdims });
export const broadcastTo = (b: GraphBuilder, x: Node, shape: readonly (number | string)[]): Node =>
  b.op("broadcast_to", [x], { shape });
export const transpose = (b: GraphBuilder, x: Node): Node => b.op("transpose", [x]);
export const matmul = (b: GraphBuilder, x: Node, y: Node): Node => b.op("matmul", [x, y]);
export const reshape = (b: GraphBuilder, x: Node, shape: readonly (number | string)[]): Node =>
  b.op("reshape", [x], { shape });
