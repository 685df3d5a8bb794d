/**
 * Names for people: labels of nodes (their .graph names, grad_NAME for gradients),
 * and kernel names and comments (affine_relu_h, with the .graph lines it fuses).
 * Code generation and diagrams share them, so a diagram's clusters match the code.
 */
import { isOp, type Graph, type Node } from "../graph/ir.js";
import { opDef, type Traits } from "../ops/index.js";
import { nodeNames } from "../graph/print.js";
import type { Kernel } from "../optimize/fuse.js";
import { sourceLine } from "../graph/lines.js";
import { commentText } from "./names.js";

/** Readable names: the .graph names, and grad_W1 for the gradient of the loss by W1. */
export function labelsOf(graph: Graph): Map<number, string> {
  const labels = nodeNames(graph);
  // the gradient of a named node is grad_NAME: grad_score is the textbook's dout into score
  // an unnamed node is known by its statement and op: grad_h_add is the gradient of the add in `h = …`
  const statement = new Map<number, string>();
  for (const d of graph.names) if (d.node.span && !statement.has(d.node.span.line)) statement.set(d.node.span.line, d.name);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const [g, of] of graph.gradOf) {
    const f = byId.get(of);
    const name = labels.get(of) ?? (f?.span && statement.has(f.span.line) ? `${statement.get(f.span.line)}_${f.op}` : undefined);
    if (name && !labels.has(g)) labels.set(g, `grad_${name}`);
  }
  const several = new Set(graph.grads.map((g) => g.of)).size > 1;
  for (const g of graph.grads) {
    if (g.node && !labels.has(g.node.id)) labels.set(g.node.id, several ? `grad_${g.of}_${g.wrt}` : `grad_${g.wrt}`);
  }
  return labels;
}

/** A kernel is named for what it fuses and what it writes: affine_relu_h, softmax_ce_loss, sum_grad_b1. */
export function kernelName(k: Kernel, label: (n: Node) => string): string {
  const ops = k.nodes.map((n) => n.op);
  const some = (trait: keyof Traits): boolean => k.nodes.some((n) => isOp(n) && opDef(n.op).traits[trait] === true);
  // a mask times the upstream gradient: ReLU's backward node of the textbook
  const reluBackward = some("mask") && some("product");
  let what: string;
  if (k.kind === "matmul" && k.matmul) {
    const act = k.nodes.find((n) => isOp(n) && opDef(n.op).traits.activation);
    const rest = k.nodes.filter((n) => n !== k.matmul).map((n) => n.op);
    what = some("bias") ? `affine${act ? `_${act.op}` : ""}` : `matmul_${rest.slice(0, 2).join("_")}`;
    if (reluBackward) what = "matmul_relu_backward";
  } else if (k.kind === "map") {
    what = reluBackward ? "relu_backward" : [...new Set(ops)].slice(-3).join("_");
  } else what = k.out.op;
  const name = label(k.out);
  // softmax_ce_grad writing grad_score reads better as softmax_ce_grad_score
  return what.endsWith("_grad") && name.startsWith("grad_") ? `${what}${name.slice(4)}` : `${what}_${name}`;
}

export function kernelDoc(k: Kernel, graph: Graph): string {
  const file = graph.file.slice(Math.max(graph.file.lastIndexOf("/"), graph.file.lastIndexOf("\\")) + 1);
  const lines = [...new Set(k.nodes.flatMap((n) => (n.span ? [n.span.line] : [])))].sort((a, b) => a - b);
  // the source line is user text inside a doc comment: the printer's escape keeps it a comment
  const src = lines.map((l) => commentText(`${file}:${l}  ${sourceLine(graph.text, l).trim()}`));
  const ops = k.nodes.map((n) => n.op).join(" · ");
  return [...src, `fuses: ${ops}`].join("\n");
}

