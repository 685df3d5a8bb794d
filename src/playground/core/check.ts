/**
 * The gradient check of every node: what backprop says ∂L/∂(node) is, against central
 * differences of L moving that node's value (the interpreter's numericalGradient, in
 * float64), on a few elements of each. Green when they agree to 1e-6, amber to 1e-2 or
 * at a kink (relu at 0), red beyond.
 */
import { isConst, type Node } from "../../graph/ir.js";
import type { Bindings } from "../../interp/index.js";
import { numericalGradient } from "../../interp/check.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { NodeCheck, Verdict } from "./diagram.js";
import type { Backprop } from "./steps.js";
import { num } from "../../render/summary.js";

/** At most this many elements of each node are moved (two forward passes each). */
const SAMPLE = 6;

/** ∂L/∂n for every node the backward pass reaches: an op's upstream, or what arrives at a leaf. */
export function gradientsByNode(b: Backprop): Map<number, { node: Node; grad: Tensor }> {
  const out = new Map<number, { node: Node; grad: Tensor }>();
  for (const s of b.steps) out.set(s.node.id, { node: s.node, grad: s.upstream });
  for (const s of b.steps) {
    for (const e of s.sent) {
      if (out.has(e.input.id)) continue;
      const arriving = b.steps.flatMap((t) => t.sent.filter((x) => x.input.id === e.input.id)).map((x) => x.grad);
      out.set(e.input.id, { node: e.input, grad: add(arriving) });
    }
  }
  return out;
}

export function checkNodes(b: Backprop, values: ReadonlyMap<number, Tensor>, env: Bindings): Map<number, NodeCheck> {
  const checks = new Map<number, NodeCheck>();
  for (const { node, grad } of gradientsByNode(b).values()) {
    if (isConst(node) || node.id === b.loss.id) continue;
    const x = values.get(node.id);
    if (!x || x.data.length !== grad.data.length) continue;
    checks.set(node.id, checkOne(b.loss, node, x, grad, values, env));
  }
  return checks;
}

function checkOne(loss: Node, node: Node, x: Tensor, grad: Tensor, values: ReadonlyMap<number, Tensor>, env: Bindings): NodeCheck {
  const n = x.data.length;
  const step = Math.max(1, Math.floor(n / SAMPLE));
  const indices = Int32Array.from({ length: Math.min(n, SAMPLE) }, (_, i) => Math.min(n - 1, i * step));
  const { grad: numeric, kinks } = numericalGradient(loss, node, x, indices, new Map(values), env, 1e-4);
  let worst = 0;
  let at = 0;
  indices.forEach((k, i) => {
    const d = Math.abs(grad.data[k]! - numeric[i]!) / Math.max(1, Math.abs(numeric[i]!));
    if (!(d <= worst)) [worst, at] = [Number.isNaN(d) ? Infinity : d, i];
  });
  const verdict: Verdict = worst <= 1e-6 ? "good" : worst <= 1e-2 || kinks > 0 ? "close" : "bad";
  const k = indices[at]!;
  const where = n > 1 ? ` (element ${k}${n > indices.length ? `, ${indices.length} of ${n} checked` : ""})` : "";
  const text = `gradient check: backprop ${num(grad.data[k]!)}, central differences ${num(numeric[at]!)}${where}; relative difference ${worst.toExponential(1)}${kinks > 0 ? `; ${kinks} at a kink` : ""}`;
  return { verdict, text };
}

function add(ts: readonly Tensor[]): Tensor {
  const data = Float64Array.from(ts[0]!.data);
  for (const t of ts.slice(1)) t.data.forEach((v, i) => (data[i] = data[i]! + v));
  return { shape: ts[0]!.shape, data };
}
