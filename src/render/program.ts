/**
 * The optimized graph as the program that runs, as DOT: every node it computes — the
 * forward pass and, with `backward`, the gradient nodes in red — each fused kernel a
 * cluster named as in the generated code, the values (gradients in red) on the edges.
 * Constants are written beside each use, as in the figure (figure.ts).
 */
import { ancestors, isConst, isOp, type Graph, type Node } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import { attrs, edgeTail, esc, header, htmlLabel, nodeLine, terminals, valueLines } from "./parts.js";
import { STYLE } from "./style.js";

export interface ProgramOptions {
  readonly title: string;
  /** a line under the figure */
  readonly caption?: string;
  readonly labels: ReadonlyMap<number, string>;
  readonly values?: ReadonlyMap<number, Tensor>;
  /** the fused kernels: each becomes a cluster */
  readonly kernels: readonly { readonly name: string; readonly nodes: readonly Node[] }[];
  /** draw the gradient nodes too */
  readonly backward?: boolean;
}

export function programDot(g: Graph, o: ProgramOptions): string {
  const ends = terminals(g);
  const grads = o.backward ? g.grads.flatMap((d) => (d.node ? [{ d, node: d.node }] : [])) : [];
  const forward = new Set(ancestors(ends.map((d) => d.node)).map((n) => n.id));
  const drawn = ancestors([...ends.map((d) => d.node), ...grads.map((x) => x.node)]);
  const isGrad = (n: Node) => !forward.has(n.id);
  const lines = header(o.title, drawn.length, o.caption);
  const shown = new Set(drawn.map((n) => n.id));
  const clustered = new Set<number>();
  o.kernels.forEach((k, i) => {
    const members = k.nodes.filter((n) => shown.has(n.id) && !isConst(n));
    if (members.length === 0) return;
    lines.push(`  subgraph cluster_k${i} {`, `    ${STYLE.cluster} label="${esc(k.name)}";`);
    for (const n of members) lines.push(`    ${nodeLine(n, o.labels, { grad: isGrad(n), extra: `, id="node-${n.id}"` })}`);
    for (const n of members) clustered.add(n.id);
    lines.push("  }");
  });
  for (const n of drawn) if (!isConst(n) && !clustered.has(n.id)) lines.push(`  ${nodeLine(n, o.labels, { grad: isGrad(n), extra: `, id="node-${n.id}"` })}`);
  for (const n of drawn) n.inputs.forEach((input, k) => lines.push(...edgeLines(input, n, k, o, isGrad(input))));
  ends.forEach((d, i) => {
    lines.push(`  out_${i} [${attrs(STYLE.output)}, label=<<b>${esc(d.name)}</b>>];`);
    lines.push(`  n${d.node.id} -> out_${i} [label=${htmlLabel(undefined, valueLines(d.node, o.values?.get(d.node.id)))}];`);
  });
  grads.forEach(({ d, node }, i) => {
    lines.push(`  grad_${i} [${attrs(STYLE.gradOutput)}, label="∂${esc(d.of)}/∂${esc(d.wrt)}"];`);
    lines.push(`  n${node.id} -> grad_${i} [${attrs(STYLE.gradEdge)}, label=${htmlLabel(undefined, [], valueLines(node, o.values?.get(node.id)))}];`);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

function edgeLines(from: Node, to: Node, k: number, o: ProgramOptions, grad: boolean): string[] {
  const { tail, lines } = edgeTail(from, to, k, o.labels);
  const name = isOp(from) ? o.labels.get(from.id) : undefined;
  const value = isConst(from) ? [] : valueLines(from, o.values?.get(from.id));
  const label = grad ? htmlLabel(name, [], value) : htmlLabel(name, value);
  lines.push(`  ${tail} -> n${to.id} [label=${label}${grad ? `, ${attrs(STYLE.gradEdge)}` : ""}];`);
  return lines;
}
