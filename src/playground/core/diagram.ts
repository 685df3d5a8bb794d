/**
 * The playground's diagram as DOT: the forward graph with each value above its edge and,
 * once the step-through has processed the edge's head, the gradient it sent back below it
 * in red — the textbook's figure, drawn up to a moment of the backward pass. The node being
 * processed is outlined; each node is filled by its gradient check. Nodes and edges carry
 * ids (node-7, edge-8-0) so the page can find what was clicked.
 */
import { ancestors, isConst, isInput, isOp, isParam, leafName, type Graph, type Node } from "../../graph/ir.js";
import { opDef } from "../../ops/index.js";
import { STYLE } from "../../render/style.js";
import type { Tensor } from "../../tensor/tensor.js";
import { terminals } from "./compile.js";
import type { Backprop } from "./steps.js";
import { summaryLines } from "./summary.js";

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
const CURRENT = `penwidth=3, color="#e67e22"`;

export function diagramDot(g: Graph, s: DiagramState): string {
  const ends = terminals(g);
  const forward = ancestors(ends.map((d) => d.node));
  const steps = s.backprop?.steps ?? [];
  const done = new Set(steps.slice(0, s.step).map((st) => st.node.id));
  const current = s.step > 0 ? steps[s.step - 1]?.node.id : undefined;
  const big = forward.length > 200;
  const lines = [`digraph "playground" {`, `  graph [${attrs(STYLE.graph)}${big ? `, ${attrs(STYLE.bigGraph)}` : ""}];`, `  node [${attrs(STYLE.node)}];`, `  edge [${attrs(STYLE.edge)}];`];
  // a constant is written beside each use, as the textbook does: one shared node would pull
  // edges from all over the picture (and a chain of `* 1.01` took Graphviz a minute to lay out)
  for (const n of forward) if (!isConst(n)) lines.push(`  ${nodeLine(n, s, n.id === current)}`);
  for (const n of forward) {
    n.inputs.forEach((input, k) => {
      if (isConst(input)) lines.push(`  c${n.id}_${k} [${attrs(STYLE.const)} label="${esc(constText(input))}", id="const-${n.id}-${k}", class="node-const"];`);
      lines.push(`  ${edgeLine(input, n, k, s, done.has(n.id))}`);
    });
  }
  ends.forEach((d, i) => {
    const seed = s.backprop?.loss.id === d.node.id ? ["1"] : undefined;
    lines.push(`  out_${i} [${attrs(STYLE.output)} label="${esc(d.name)}", id="output-${i}"];`);
    lines.push(`  n${d.node.id} -> out_${i} [label=${label(undefined, s.values.get(d.node.id), d.node, seed)}];`);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

function nodeLine(n: Node, s: DiagramState, isCurrent: boolean): string {
  const check = s.checks?.get(n.id);
  const fill = check ? `, style=filled, fillcolor="${FILL[check.verdict]}"` : "";
  const tip = `, tooltip="${esc(tooltip(n, s, check))}"`;
  const mark = isCurrent ? `, ${CURRENT}` : "";
  const common = `id="node-${n.id}", class="node-${isOp(n) ? "op" : n.kind}"${tip}${mark}`;
  if (isInput(n)) return `n${n.id} [${attrs(STYLE.input)}${fill} label="${esc(leafName(n))}", ${common}];`;
  if (isParam(n)) return `n${n.id} [${attrs(STYLE.param)}${check ? `, fillcolor="${FILL[check.verdict]}"` : ""} label="${esc(leafName(n))}", ${common}];`;
  const glyph = opDef(n.op).glyph;
  const symbol = typeof glyph === "function" ? glyph(n.attrs) : (glyph ?? n.op);
  return `n${n.id} [${attrs(STYLE.op)}${fill} label="${esc(symbol)}", ${common}];`;
}

function tooltip(n: Node, s: DiagramState, check: NodeCheck | undefined): string {
  const name = isOp(n) ? (s.labels.get(n.id) ?? n.op) : isConst(n) ? constText(n) : leafName(n);
  return check ? `${name}: ${check.text}` : name;
}

function edgeLine(from: Node, to: Node, index: number, s: DiagramState, processed: boolean): string {
  const name = isOp(from) ? s.labels.get(from.id) : undefined;
  const sent = processed ? s.backprop?.steps.find((st) => st.node.id === to.id)?.sent.find((e) => e.index === index) : undefined;
  const grad = sent ? summaryLines(sent.grad, from.type.dtype) : undefined;
  const id = `id="edge-${to.id}-${index}"${sent ? `, class="sent"` : ""}`;
  const tail = isConst(from) ? `c${to.id}_${index}` : `n${from.id}`;
  return `${tail} -> n${to.id} [label=${label(name, s.values.get(from.id), from, grad)}, ${id}];`;
}

/** An HTML label: the value's name, the value above the edge and the gradient below it, in red. */
function label(name: string | undefined, value: Tensor | undefined, node: Node, grad: readonly string[] | undefined): string {
  const rows: string[] = [];
  if (name) rows.push(`<font point-size="10" color="#555555">${esc(name)}</font>`);
  if (value) for (const line of summaryLines(value, node.type.dtype)) rows.push(`<font color="${STYLE.valueColor}">${esc(line)}</font>`);
  if (grad) for (const line of grad) rows.push(`<font color="${GRAD_COLOR}">${esc(line)}</font>`);
  return rows.length === 0 ? `""` : `<${rows.join("<br/>")}>`;
}

function constText(n: Node): string {
  const d = n.value!.data;
  return d.length === 1 ? String(Number(d[0]!.toPrecision(6))) : `${n.type.dtype}[${n.type.shape.join(",")}]`;
}

const attrs = (style: string) => style.replace(/;\s*$/, "").split(/;\s*/).join(", ");
/** User text inside a quoted DOT string or an HTML label: nothing in it can end the string. */
const esc = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\\/g, "\\\\")
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `&#${c.charCodeAt(0)};`);

