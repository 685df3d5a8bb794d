/**
 * The playground's diagram as DOT: the textbook's figure (render/figure.ts) drawn up to a
 * moment of the backward pass — each value above its edge and, once the step-through has
 * processed the edge's head, a red arrow back along it with the gradient it sent. The node
 * being processed is outlined; each node is filled by its gradient check.
 */
import type { Graph, Node } from "../../graph/ir.js";
import { figureDot, type Mark } from "../../render/figure.js";
import { nameOf } from "../../render/parts.js";
import { STYLE } from "../../render/style.js";
import { summaryLines } from "../../render/summary.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Backprop } from "./steps.js";

export type Verdict = "good" | "close" | "bad";

export interface NodeCheck {
  readonly verdict: Verdict;
  /** the figure, for the tooltip */
  readonly text: string;
}

export interface DiagramState {
  readonly values: ReadonlyMap<number, Tensor>;
  readonly backprop: Backprop | undefined;
  /** how many op nodes the backward pass has processed */
  readonly step: number;
  readonly labels: ReadonlyMap<number, string>;
  readonly checks?: ReadonlyMap<number, NodeCheck>;
}

export const GRAD_COLOR = STYLE.gradColor;
const FILL: Record<Verdict, string> = { good: "#d5f5dd", close: "#fdebc8", bad: "#f8d0cc" };

/** The textbook's figure (render/figure.ts) at step `s.step`: later steps' arrows are laid out, not drawn, so nothing moves. */
export function diagramDot(g: Graph, s: DiagramState): string {
  const steps = s.backprop?.steps ?? [];
  const current = s.step > 0 ? steps[s.step - 1]?.node.id : undefined;
  const sent = new Map<string, readonly string[]>();
  const pending = new Map<string, readonly string[]>();
  steps.forEach((st, i) => {
    for (const e of st.sent) (i < s.step ? sent : pending).set(`${e.user.id}:${e.index}`, summaryLines(e.grad, e.input.type.dtype));
  });
  const mark = (n: Node): Mark => {
    const check = s.checks?.get(n.id);
    const name = nameOf(n, s.labels);
    return { fill: check ? FILL[check.verdict] : undefined, tooltip: check ? `${name}: ${check.text}` : name, current: n.id === current };
  };
  const seeds = new Set(s.backprop ? [s.backprop.loss.id] : []);
  return figureDot(g, { title: "playground", labels: s.labels, values: s.values, backward: s.backprop ? { seeds, sent, pending } : undefined, mark });
}
