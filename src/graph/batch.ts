/**
 * Whether a training step can be split over threads by the rows of its batch: each thread
 * runs the step on its own rows, and the whole batch's loss and gradients are the threads'
 * weighted by their share of the rows (n_k / N). That is exact in real arithmetic when the
 * loss is the mean over rows of a term each row computes alone, as in the textbook's
 * networks; it is checked here, not assumed. On the loss's path every node must keep rows
 * apart (elementwise ops with the batch on axis 0, `x @ W` with W free of the batch), or
 * hold no batch at all, up to an op that means its rows (softmax_cross_entropy); a mean
 * may then be added to and scaled by batch-free values. Anything else — a sum over the
 * batch, a transpose of it, a batch statistic — is named as the reason it cannot split.
 */
import { opDef } from "../ops/index.js";
import { ancestors, isLeaf, type Graph, type Node } from "./ir.js";

/** free: no batch in it; rows: its axis 0 is the batch, each row from the same row of the inputs; mean: a mean over rows */
type Kind = "free" | "rows" | "mean";

export type BatchSplit = { readonly ok: true } | { readonly ok: false; readonly node: Node; readonly why: string };

export function batchSplit(graph: Graph, dim: string, loss: Node): BatchSplit {
  const kinds = new Map<number, Kind>();
  for (const n of ancestors([loss])) {
    const k = kindOf(n, dim, n.inputs.map((i) => kinds.get(i.id)!));
    if (typeof k === "object") return { ok: false, node: n, why: k.why };
    kinds.set(n.id, k);
  }
  const k = kinds.get(loss.id);
  return k === "mean" || k === "free" ? { ok: true } : { ok: false, node: loss, why: "the loss is not a mean over the batch's rows" };
}

function kindOf(n: Node, dim: string, ins: readonly Kind[]): Kind | { why: string } {
  const shape = n.type.shape;
  const axes = shape.filter((d) => d === dim).length;
  const rowsShape = axes === 1 && shape[0] === dim;
  if (isLeaf(n)) {
    if (axes === 0) return "free";
    return rowsShape ? "rows" : { why: `its batch dim ${dim} is not its first axis alone` };
  }
  if (ins.every((k) => k === "free")) return axes === 0 ? "free" : { why: `it makes the batch dim ${dim} from nothing batched` };
  const def = opDef(n.op);
  const rank = shape.length;
  if (def.traits.elementwise) {
    if (ins.includes("mean")) return meanCombination(n, ins);
    // each batched operand lines its axis 0 up with the output's
    if (rowsShape && n.inputs.every((x, i) => ins[i] !== "rows" || x.type.shape.length === rank)) return "rows";
    return { why: `${n.op} broadcasts the batch off axis 0` };
  }
  if (def.traits.batch === "rows" && ins[0] === "rows" && ins.slice(1).every((k) => k === "free") && rowsShape) return "rows";
  if (def.traits.batch === "mean" && ins.every((k) => k !== "mean") && rank === 0) return "mean";
  return { why: `${n.op} mixes the rows of the batch` };
}

/** a + b, a · c of means and batch-free scalars stay means: Σₖ wₖ (aₖ + bₖ) = a + b and Σₖ wₖ c aₖ = c a when Σₖ wₖ = 1. */
function meanCombination(n: Node, ins: readonly Kind[]): Kind | { why: string } {
  const traits = opDef(n.op).traits;
  if (ins.includes("rows") || n.type.shape.length !== 0) return { why: `${n.op} combines a mean over the batch with its rows` };
  if (traits.bias) return "mean";
  if (traits.product && ins.filter((k) => k === "mean").length === 1) return "mean";
  return { why: `${n.op} of a mean over the batch is not a mean over it` };
}
