/**
 * Whether a graph can train on MNIST here: an input x of shape [N, 784], labels t (class
 * indices i32[N] or one-hot [N, 10]), a loss, and an output of shape [N, 10] to read
 * predictions from — the TwoLayerNet's shape.
 */
import type { Graph, InputDecl, Named } from "../../graph/ir.js";

export interface MnistShape {
  readonly x: InputDecl;
  readonly t: InputDecl;
  readonly oneHot: boolean;
  readonly loss: string;
  readonly output: Named;
  readonly dim: string;
}

export function mnistShape(g: Graph): MnistShape | undefined {
  const x = g.inputs.find((d) => d.name === "x");
  const t = g.inputs.find((d) => d.name === "t");
  const loss = g.losses[0];
  if (!x || !t || !loss) return undefined;
  const [n, width] = x.node.type.shape;
  if (typeof n !== "string" || width !== 784 || x.node.type.shape.length !== 2) return undefined;
  const ts = t.node.type.shape;
  const oneHot = ts.length === 2 && ts[0] === n && ts[1] === 10;
  if (!oneHot && !(ts.length === 1 && ts[0] === n && t.node.type.dtype === "i32")) return undefined;
  const output = g.outputs.find((o) => o.node.type.shape.length === 2 && o.node.type.shape[0] === n && o.node.type.shape[1] === 10);
  return output ? { x, t, oneHot, loss: loss.name, output, dim: n } : undefined;
}
