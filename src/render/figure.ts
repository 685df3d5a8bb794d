/**
 * The textbook's figure of a graph, as DOT: the forward graph left to right, each value
 * above its edge; the backward pass drawn on the same nodes and ranks, one red arrow back
 * along each edge that carries a gradient, the gradient written under it (1 at the loss).
 * A constant is written beside each use, as the book does: one shared node would pull
 * edges from all over the picture (a chain of `* 1.01` took Graphviz a minute to lay out).
 * `gradc render` and the playground both draw this figure; every node and edge has an id
 * (node-7, edge-8-0, grad-8-0: input 0 of node 8) so a page can find what was clicked.
 */
import { ancestors, isConst, isOp, type Graph, type Node } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import { attrs, edgeTail, esc, header, htmlLabel, nodeLine, terminals, valueLines } from "./parts.js";
import { STYLE } from "./style.js";

/** How one node is marked: a fill (the playground's gradient check), a tooltip, an outline. */
export interface Mark {
  readonly fill?: string;
  readonly tooltip?: string;
  readonly current?: boolean;
}

export interface FigureOptions {
  readonly title: string;
  /** a line under the figure */
  readonly caption?: string;
  readonly labels: ReadonlyMap<number, string>;
  /** node id → its forward value; without values the edges show names and types */
  readonly values?: ReadonlyMap<number, Tensor>;
  /** the backward pass; absent, the figure is the forward pass alone */
  readonly backward?: Backward;
  readonly mark?: (n: Node) => Mark | undefined;
}

export interface Backward {
  /** the scalars being differentiated: their output edge carries the seed 1 */
  readonly seeds: ReadonlySet<number>;
  /** "user:index" → the red lines written under the arrow back along that edge */
  readonly sent: ReadonlyMap<string, readonly string[]>;
  /** edges whose arrow is laid out but not drawn yet (the playground's later steps): the picture does not move as it fills in */
  readonly pending?: ReadonlyMap<string, readonly string[]>;
}

export function figureDot(g: Graph, o: FigureOptions): string {
  const ends = terminals(g);
  const forward = ancestors(ends.map((d) => d.node));
  const lines = header(o.title, forward.length, o.caption);
  for (const n of forward) if (!isConst(n)) lines.push(`  ${nodeLine(n, o.labels, { extra: marking(n, o), tooltip: o.mark?.(n)?.tooltip })}`);
  for (const n of forward) n.inputs.forEach((input, k) => lines.push(...edgeLines(input, n, k, o)));
  ends.forEach((d, i) => {
    const seed = o.backward?.seeds.has(d.node.id) ? ["1"] : [];
    lines.push(`  out_${i} [${attrs(STYLE.output)}, label=<<b>${esc(d.name)}</b>>, id="output-${i}"];`);
    lines.push(`  n${d.node.id} -> out_${i} [label=${htmlLabel(undefined, valueLines(d.node, o.values?.get(d.node.id)), seed)}];`);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

function marking(n: Node, o: FigureOptions): string {
  const m = o.mark?.(n);
  const fill = m?.fill ? `, style="${n.kind === "param" ? "rounded,filled" : "filled"}", fillcolor="${m.fill}"` : "";
  return `${fill}, id="node-${n.id}", class="node-${isOp(n) ? "op" : n.kind}"${m?.current ? `, ${STYLE.current}` : ""}`;
}

/** Input `k` of `to`: the constant's own node, the forward edge with its value and, once sent, the red arrow back. */
function edgeLines(from: Node, to: Node, k: number, o: FigureOptions): string[] {
  const { tail, lines } = edgeTail(from, to, k, o.labels, `, id="const-${to.id}-${k}", class="node-const"`);
  const name = isOp(from) ? o.labels.get(from.id) : undefined;
  const shown = isConst(from) ? [] : valueLines(from, o.values?.get(from.id));
  lines.push(`  ${tail} -> n${to.id} [label=${htmlLabel(name, shown)}, id="edge-${to.id}-${k}"];`);
  const key = `${to.id}:${k}`;
  const sent = o.backward?.sent.get(key);
  const pending = sent ? undefined : o.backward?.pending?.get(key);
  if (sent) lines.push(`  ${tail} -> n${to.id} [${attrs(STYLE.backEdge)}, label=${htmlLabel(undefined, [], sent)}, id="grad-${to.id}-${k}", class="sent"];`);
  else if (pending) lines.push(`  ${tail} -> n${to.id} [${attrs(STYLE.backEdge)}, style=invis, label=${htmlLabel(undefined, [], pending)}, id="grad-${to.id}-${k}"];`);
  return lines;
}
