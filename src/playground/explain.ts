/**
 * Words for the diagram: what the current step of the backward pass does (upstream ×
 * local = what it sends back), and a clicked node's local derivative rule from the op
 * table with its numbers. Built as DOM nodes, never as HTML text from user input.
 */
import { isOp, type Node } from "../graph/ir.js";
import { opDef } from "../ops/index.js";
import { glyphText, nameOf } from "../render/parts.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Backprop, Sent, Step } from "./core/steps.js";
import { num, summaryLines } from "../render/summary.js";

type Part = string | { grad: string } | { formula: string };

function el(tag: string, parts: readonly Part[]): HTMLElement {
  const e = document.createElement(tag);
  for (const p of parts) {
    if (typeof p === "string") e.append(p);
    else {
      const span = document.createElement("span");
      span.className = "grad" in p ? "grad" : "formula";
      span.textContent = "grad" in p ? p.grad : p.formula;
      e.append(span);
    }
  }
  return e;
}

/** A node as a sentence names it: "× apple_price", or for an unnamed one its glyph and line, "dot (line 11)". */
const titleOf = (n: Node, labels: ReadonlyMap<number, string>): string => (labels.has(n.id) ? `${glyphText(n)} ${nameOf(n, labels)}` : nameOf(n, labels));
const short = (t: Tensor, n: Node) => summaryLines(t, n.type.dtype).join(" ");
const scalarOf = (t: Tensor): number | undefined => (t.data.length === 1 ? t.data[0] : undefined);

/** One line per edge: upstream × local = sent → input. */
function sentLine(s: Step, e: Sent, labels: ReadonlyMap<number, string>): HTMLElement {
  const up = scalarOf(s.upstream);
  const g = scalarOf(e.grad);
  const to = nameOf(e.input, labels);
  if (up !== undefined && g !== undefined && up !== 0 && e.grad.shape.length === 0) {
    return el("div", [`${num(up)} × ${num(g / up)} = `, { grad: num(g) }, ` → ${to}`]);
  }
  return el("div", ["sends ", { grad: short(e.grad, e.input) }, ` → ${to}`]);
}

export function explainStep(target: HTMLElement, b: Backprop | undefined, step: number, labels: ReadonlyMap<number, string>): void {
  target.replaceChildren();
  if (!b) return void target.append(el("div", ["This graph asks for no gradient (add a `loss` or a `grad … wrt …` statement) — the forward values are shown."]));
  if (step === 0) {
    return void target.append(el("div", [`Step 0: the forward pass's values are on the edges; the backward pass starts with the seed `, { grad: "1" }, ` at ${nameOf(b.loss, labels)} (∂L/∂L = 1). Press forward ▶.`]));
  }
  const s = b.steps[step - 1]!;
  const head = el("div", [`Step ${step} of ${b.steps.length}: `, `${titleOf(s.node, labels)} receives upstream gradient `, { grad: short(s.upstream, s.node) }, "; upstream × local derivative = what it sends back:"]);
  target.append(head, ...s.sent.map((e) => sentLine(s, e, labels)));
  if (step === b.steps.length) target.append(el("div", ["The backward pass is complete: every input's gradient is on its edge."]));
}

/** A clicked node: its op's doc (the local derivative rule), its value, and the numbers of its step. */
export function explainNode(target: HTMLElement, n: Node, value: Tensor | undefined, b: Backprop | undefined, labels: ReadonlyMap<number, string>): void {
  target.replaceChildren();
  const title = el("div", [isOp(n) ? `${titleOf(n, labels)} — ${n.op}` : `${n.kind} ${nameOf(n, labels)}`]);
  title.style.fontWeight = "bold";
  target.append(title);
  if (isOp(n)) {
    const def = opDef(n.op);
    target.append(el("div", ["local rule: ", def.doc]));
    if (def.scalar?.formula) target.append(el("div", ["formula: ", { formula: def.scalar.formula }]));
  }
  if (value) target.append(el("div", [`value: ${short(value, n)}`]), heatmap(value));
  const s = b?.steps.find((x) => x.node.id === n.id);
  if (s) {
    target.append(el("div", ["backward: upstream ", { grad: short(s.upstream, n) }]));
    for (const e of s.sent) target.append(sentLine(s, e, labels));
  }
}

/** A tensor of two or more elements as a heatmap (blue negative, red positive), one cell per element. */
function heatmap(t: Tensor): HTMLElement {
  if (t.data.length < 2) return document.createElement("span");
  const c = document.createElement("canvas");
  const cols = t.shape.length >= 2 ? t.shape[t.shape.length - 1]! : t.data.length;
  const rows = Math.ceil(t.data.length / cols);
  c.width = cols;
  c.height = rows;
  const scale = Math.max(1, Math.floor(Math.min(240 / cols, 120 / rows)));
  c.style.width = `${cols * scale}px`;
  c.style.height = `${rows * scale}px`;
  const ctx = c.getContext("2d")!;
  const img = ctx.createImageData(cols, rows);
  let m = 0;
  for (const v of t.data) m = Math.max(m, Math.abs(v));
  t.data.forEach((v, i) => {
    const a = m > 0 ? v / m : 0;
    img.data.set(a >= 0 ? [255, 255 * (1 - a), 255 * (1 - a), 255] : [255 * (1 + a), 255 * (1 + a), 255, 255], i * 4);
  });
  ctx.putImageData(img, 0, 0);
  c.title = `heatmap of ${t.data.length} values (red positive, blue negative; max |v| = ${num(m)})`;
  return c;
}

/** A clicked edge: the value it carries and, once its head has been processed, the gradient sent back along it. */
export function explainEdge(target: HTMLElement, from: Node, value: Tensor | undefined, sent: Sent | undefined, labels: ReadonlyMap<number, string>): void {
  target.replaceChildren();
  const title = el("div", [`${nameOf(from, labels)} → ${sent ? nameOf(sent.user, labels) : "its user"}`]);
  title.style.fontWeight = "bold";
  target.append(title);
  if (value) target.append(el("div", [`value: ${short(value, from)}`]), heatmap(value));
  if (sent) target.append(el("div", ["gradient sent back: ", { grad: short(sent.grad, from) }]), heatmap(sent.grad));
  else target.append(el("div", ["no gradient on this edge yet: step forward until its head is processed"]));
}
