/**
 * A graph as DOT text (pure, so it can be golden-tested): ops are circles with the
 * textbook's ×, + and names; inputs, params and outputs look different from ops;
 * edges carry the names of the values on them and, with values, the forward value
 * above and the gradient sent back along the edge below it, in red, as in the
 * textbook's figures. The backward graph can be drawn too, each gradient linked to
 * the node it differentiates; kernels of the optimized graph become clusters.
 */
import { ancestors, isConst, isExternal, isInput, isOp, isParam, leafName, type Graph, type Node } from "../graph/ir.js";
import type { Tensor } from "../tensor/tensor.js";
import { formatType } from "../tensor/types.js";
import { opDef } from "../ops/index.js";
import { STYLE } from "./style.js";

export interface DotOptions {
  /** draw the gradient nodes */
  readonly backward?: boolean;
  /** node id → its value: forward values and, with backward, gradients */
  readonly values?: ReadonlyMap<number, Tensor>;
  /** clusters: the kernels of an optimized graph */
  readonly kernels?: readonly { readonly name: string; readonly nodes: readonly Node[] }[];
  /** node id → readable name */
  readonly labels?: ReadonlyMap<number, string>;
  /** "userId:inputIndex" → the gradient sent back along that edge (autodiff/edges.ts), written under it with values */
  readonly edgeGrads?: ReadonlyMap<string, number>;
}

export function toDot(g: Graph, o: DotOptions = {}): string {
  const labels = o.labels ?? new Map<number, string>();
  const forwardRoots = [...g.outputs, ...g.losses].map((d) => d.node);
  const forward = ancestors(forwardRoots);
  const inForward = new Set(forward.map((n) => n.id));
  const gradRoots = g.grads.flatMap((d) => (d.node ? [d.node] : []));
  // with values, the backward pass is drawn over the forward graph: gradients under its edges
  const backward = o.backward && !o.values ? ancestors(gradRoots).filter((n) => !inForward.has(n.id)) : [];
  const big = forward.length + backward.length > 200;
  const lines: string[] = [`digraph "${esc(g.file)}" {`, `  graph [${attrs(STYLE.graph)}${big ? `, ${attrs(STYLE.bigGraph)}` : ""}];`, `  node [${attrs(STYLE.node)}];`, `  edge [${attrs(STYLE.edge)}];`];
  const clustered = new Set<number>();
  (o.kernels ?? []).forEach((k, i) => {
    const members = k.nodes.filter((n) => inForward.has(n.id) || backward.includes(n));
    if (members.length === 0) return;
    lines.push(`  subgraph cluster_k${i} {`, `    ${STYLE.cluster} label="${esc(k.name)}";`);
    for (const n of members) {
      lines.push(`    ${nodeLine(n, labels, false)}`);
      clustered.add(n.id);
    }
    lines.push("  }");
  });
  for (const n of forward) if (!clustered.has(n.id)) lines.push(`  ${nodeLine(n, labels, false)}`);
  const clusterAt = lines.length;
  const inCluster: string[] = [];
  for (const n of backward) if (!clustered.has(n.id)) inCluster.push(`    ${nodeLine(n, labels, true)}`);
  const differentiated = new Set(g.grads.map((d) => d.ofNode.id));
  const inBackward = new Set(backward.map((n) => n.id));
  for (const n of forward) n.inputs.forEach((i, k) => lines.push(`  ${edgeLine(i, n, k, g, o, labels)}`));
  for (const n of backward) {
    n.inputs.forEach((i, k) => {
      if (inBackward.has(i.id)) return lines.push(`  ${edgeLine(i, n, k, g, o, labels, true)}`);
      // a forward value the backward graph reads: a local copy, not an edge across the picture
      const proxy = `p${i.id}_${n.id}_${k}`;
      const name = isExternal(i) ? leafName(i) : isConst(i) ? constLabel(i) : (labels.get(i.id) ?? `%${i.id}`);
      inCluster.push(`    ${proxy} [${attrs(STYLE.proxy)} label="${esc(name)}"];`);
      lines.push(`  ${proxy} -> n${n.id} [${attrs(STYLE.gradEdge)}];`);
    });
  }
  if (inCluster.length > 0) lines.splice(clusterAt, 0, `  subgraph cluster_backward {`, `    ${STYLE.backwardCluster}`, ...inCluster, "  }");
  for (const d of g.grads) {
    if (!d.node || !inBackward.has(d.node.id)) continue;
    const mark = `d_${id(d.of)}_${id(d.wrt)}`;
    lines.push(`  ${mark} [${attrs(STYLE.gradOutput)} label="∂${esc(d.of)}/∂${esc(d.wrt)}"];`, `  n${d.node.id} -> ${mark} [${attrs(STYLE.gradEdge)}];`);
  }
  for (const d of [...g.outputs, ...g.losses].filter((d, i, all) => all.findIndex((x) => x.name === d.name) === i)) {
    const seed = o.backward && o.values && differentiated.has(d.node.id) ? 1 : undefined;
    lines.push(`  out_${id(d.name)} [${attrs(STYLE.output)} label="${esc(d.name)}"];`);
    lines.push(`  n${d.node.id} -> out_${id(d.name)} [label=${edgeLabel(undefined, o.values?.get(d.node.id), d.node, seed)}];`);
  }
  if (o.backward) {
    for (const n of backward) {
      const of = g.gradOf.get(n.id);
      if (of !== undefined && inForward.has(of)) lines.push(`  n${n.id} -> n${of} [${attrs(STYLE.link)}];`);
    }
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

function nodeLine(n: Node, labels: ReadonlyMap<number, string>, grad: boolean): string {
  if (isInput(n)) return `n${n.id} [${attrs(STYLE.input)} label="${esc(leafName(n))}"];`;
  if (isParam(n)) return `n${n.id} [${attrs(STYLE.param)} label="${esc(leafName(n))}"];`;
  if (isConst(n)) return `n${n.id} [${attrs(STYLE.const)} label="${esc(constLabel(n))}"];`;
  const glyph = opDef(n.op).glyph;
  const symbol = typeof glyph === "function" ? glyph(n.attrs) : (glyph ?? n.op);
  const tip = labels.get(n.id) ?? `${n.op} %${n.id}`;
  return `n${n.id} [${attrs(grad ? STYLE.gradOp : STYLE.op)} label="${symbol}" tooltip="${esc(tip)}"];`;
}

function edgeLine(from: Node, to: Node, index: number, g: Graph, o: DotOptions, labels: ReadonlyMap<number, string>, backwardEdge = false): string {
  const name = isOp(from) ? labels.get(from.id) : undefined;
  const value = o.values?.get(from.id);
  const gradId = o.backward ? o.edgeGrads?.get(`${to.id}:${index}`) : undefined;
  const grad = gradId !== undefined && !backwardEdge ? o.values?.get(gradId) : undefined;
  const label = edgeLabel(name, value, from, grad);
  return `n${from.id} -> n${to.id} [label=${label}${backwardEdge ? `, ${attrs(STYLE.gradEdge)}` : ""}];`;
}

/** An HTML label: the name, the value above the edge and the gradient below, in red. */
function edgeLabel(name: string | undefined, value: Tensor | undefined, node: Node, grad: Tensor | number | undefined): string {
  const rows: string[] = [];
  if (name) rows.push(`<font point-size="10" color="#555555">${esc(name)}</font>`);
  if (value) rows.push(`<font color="${STYLE.valueColor}">${esc(show(value, node))}</font>`);
  if (grad !== undefined) rows.push(`<font color="${STYLE.gradColor}">${esc(typeof grad === "number" ? String(grad) : show(grad, node))}</font>`);
  return rows.length === 0 ? `""` : `<${rows.join("<br/>")}>`;
}

/** A value for a diagram: a number, or the type and, for a few elements, the numbers. */
export function show(t: Tensor, n: Node): string {
  const num = (v: number) => String(Number(v.toPrecision(6)));
  if (t.shape.length === 0) return num(t.data[0]!);
  const type = formatType(n.type).replace(/ /g, "");
  return t.data.length <= 4 ? `${type} [${Array.from(t.data, num).join(", ")}]` : type;
}

function constLabel(n: Node): string {
  const d = n.value!.data;
  return d.length === 1 ? String(Number(d[0]!.toPrecision(6))) : formatType(n.type).replace(/ /g, "");
}

const attrs = (s: string) => s.replace(/;\s*$/, "").split(/;\s*/).join(", ");
/**
 * User text inside a quoted DOT string or an HTML label: XML's five characters as
 * entities, a backslash doubled (so it cannot escape the closing quote), and line
 * breaks and other control characters as numeric references — nothing ends the string.
 */
const esc = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    .replace(/\\/g, "\\\\")
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `&#${c.charCodeAt(0)};`);
const id = (s: string) => Array.from(s, (c) => (/[A-Za-z0-9_]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}`)).join("");
