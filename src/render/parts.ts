/**
 * The pieces both drawings are made of (figure.ts, the textbook's figure; program.ts, the
 * optimized program's kernels): the header, node lines, the HTML labels of edges, a name
 * for every node, and the escaping that keeps a user's text inside its DOT string.
 */
import { isConst, isInput, isOp, isParam, leafName, type Graph, type Node } from "../graph/ir.js";
import { opDef } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { STYLE } from "./style.js";
import { summaryLines } from "./summary.js";

/** A Graphviz attribute list from one of STYLE's `a=b; c=d;` strings. */
export const attrs = (style: string): string => style.replace(/;\s*$/, "").split(/;\s*/).join(", ");

/**
 * User text inside a quoted DOT string or an HTML label: XML's five characters as
 * entities, a backslash doubled (so it cannot escape the closing quote), and line
 * breaks and other control characters as numeric references — nothing ends the string.
 */
export const esc = (s: string): string =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    .replace(/\\/g, "\\\\")
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The opening lines of a diagram; graphs of hundreds of nodes get the bounded layout; a caption goes under the figure. */
export function header(title: string, nodes: number, caption?: string): string[] {
  const big = nodes > 200 ? `, ${attrs(STYLE.bigGraph)}` : "";
  const under = caption ? `, ${attrs(STYLE.caption)}, label="${esc(caption)}"` : "";
  return [`digraph "${esc(title)}" {`, `  graph [${attrs(STYLE.graph)}${big}${under}];`, `  node [${attrs(STYLE.node)}];`, `  edge [${attrs(STYLE.edge)}];`];
}

/** What a diagram ends in: the outputs, the losses and the scalars of grad statements, each once. */
export function terminals(g: Graph): { readonly name: string; readonly node: Node }[] {
  const all = [...g.outputs, ...g.losses, ...g.grads.map((d) => ({ name: d.of, node: d.ofNode }))];
  return all.filter((d, i) => all.findIndex((x) => x.node.id === d.node.id) === i);
}

/** The symbol drawn in an op's circle: ×, +, the op's glyph (its lines), else its name. */
export function glyphOf(n: Node): string {
  if (!isOp(n)) return "";
  const glyph = opDef(n.op).glyph;
  return typeof glyph === "function" ? glyph(n.attrs) : (glyph ?? n.op);
}

/** The glyph on one line, for text: "Softmax WithLoss". */
export const glyphText = (n: Node): string => glyphOf(n).split("\n").join(" ");

/** A node's name for people: its `.graph` name, else what its circle shows and its source line (`dot (line 10)`) — never an id. */
export function nameOf(n: Node, labels: ReadonlyMap<number, string>): string {
  if (isConst(n)) return constText(n);
  if (!isOp(n)) return leafName(n);
  return labels.get(n.id) ?? (n.span ? `${glyphText(n)} (line ${n.span.line})` : glyphText(n));
}

export function constText(n: Node): string {
  const d = n.value!.data;
  return d.length === 1 ? String(Number(d[0]!.toPrecision(6))) : `${n.type.dtype}[${n.type.shape.join(",")}]`;
}

/** A node's type as an edge shows it when there are no values: f32[N,50]; nothing for a scalar. */
export function typeText(n: Node): string | undefined {
  return n.type.shape.length === 0 ? undefined : `${n.type.dtype}[${n.type.shape.join(",")}]`;
}

/** The DOT line of a node; `extra` is appended to its attributes (ids, fills, outlines). */
export function nodeLine(n: Node, labels: ReadonlyMap<number, string>, style: { grad?: boolean; extra?: string; tooltip?: string } = {}): string {
  const tip = style.tooltip ?? (isOp(n) ? nameOf(n, labels) : undefined);
  const tail = `${tip === undefined ? "" : `, tooltip="${esc(tip)}"`}${style.extra ?? ""}];`;
  if (isInput(n)) return `n${n.id} [${attrs(STYLE.input)}, label="${esc(leafName(n))}"${tail}`;
  if (isParam(n)) return `n${n.id} [${attrs(STYLE.param)}, label="${esc(leafName(n))}"${tail}`;
  if (isConst(n)) return `n${n.id} [${attrs(STYLE.const)}, label="${esc(constText(n))}"${tail}`;
  // the glyph's lines as an HTML label: a line break in it is the op table's, not a user's
  return `n${n.id} [${attrs(style.grad ? STYLE.gradOp : STYLE.op)}, label=<${glyphOf(n).split("\n").map(esc).join("<br/>")}>${tail}`;
}

/**
 * Where the edge into input `k` of `to` starts: its tail node, or for a constant a node of
 * its own beside this use (its DOT line in `lines`, `extra` appended to its attributes).
 */
export function edgeTail(from: Node, to: Node, k: number, labels: ReadonlyMap<number, string>, extra = ""): { tail: string; lines: string[] } {
  if (!isConst(from)) return { tail: `n${from.id}`, lines: [] };
  const tail = `c${to.id}_${k}`;
  return { tail, lines: [`  ${tail} [${attrs(STYLE.const)}, label="${esc(nameOf(from, labels))}"${extra}];`] };
}

/** The lines of a value's label: its summary (summary.ts), else its type. */
export function valueLines(n: Node, value: Tensor | undefined): string[] {
  if (value) return summaryLines(value, n.type.dtype);
  const type = typeText(n);
  return type ? [type] : [];
}

/** An HTML label: a small grey name, then lines in the value's colour, then lines in red. */
export function htmlLabel(name: string | undefined, values: readonly string[], grads: readonly string[] = []): string {
  const rows: string[] = [];
  if (name) rows.push(`<font point-size="10" color="#555555">${esc(name)}</font>`);
  for (const line of values) rows.push(`<font color="${STYLE.valueColor}">${esc(line)}</font>`);
  for (const line of grads) rows.push(`<font color="${STYLE.gradColor}">${esc(line)}</font>`);
  return rows.length === 0 ? `""` : `<${rows.join("<br/>")}>`;
}
