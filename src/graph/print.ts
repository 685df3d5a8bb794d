/**
 * The IR as text, one node a line, like a jaxpr:
 *   %7: f32[N, 50] = relu %6   # h · two_layer_net.graph:10
 */
import type { UserFn } from "../ops/userfn.js";
import { ancestors, isConst, isExternal, leafName, type Graph, type Node } from "./ir.js";
import { formatType } from "../tensor/types.js";

export interface PrintOptions {
  /** include the gradient nodes */
  readonly backward?: boolean;
}

export function printGraph(graph: Graph, options: PrintOptions = {}): string {
  const roots = [
    ...graph.outputs.map((o) => o.node),
    ...graph.losses.map((l) => l.node),
    ...(options.backward ? graph.grads.flatMap((g) => (g.node ? [g.node] : [])) : []),
  ];
  const names = nodeNames(graph);
  const lines = ancestors(roots).map((n) => printNode(n, names, graph.file));
  for (const o of graph.outputs) lines.push(`output ${o.name} = %${o.node.id}`);
  for (const l of graph.losses) lines.push(`loss ${l.name} = %${l.node.id}`);
  if (options.backward) for (const g of graph.grads) if (g.node) lines.push(`grad ${g.of} wrt ${g.wrt} = %${g.node.id}`);
  return lines.join("\n") + "\n";
}

/** The first `.graph` name of each named node. */
export function nodeNames(graph: Graph): Map<number, string> {
  const names = new Map<number, string>();
  for (const d of [...graph.inputs, ...graph.params, ...graph.names]) if (!names.has(d.node.id)) names.set(d.node.id, d.name);
  return names;
}

function printNode(n: Node, names: ReadonlyMap<number, string>, file: string): string {
  const head = `%${n.id}: ${formatType(n.type)} = `;
  let body: string;
  if (isConst(n)) body = `const ${formatValue(n)}`;
  else if (isExternal(n)) body = `${n.kind} ${leafName(n)}`;
  else body = [n.op, ...n.inputs.map((i) => `%${i.id}`), ...formatAttrs(n)].join(" ");
  const where = [names.get(n.id), n.span ? `${file.split(/[\\/]/).pop()}:${n.span.line}` : undefined].filter(Boolean);
  return where.length > 0 ? `${head}${body}`.padEnd(48) + `   # ${where.join(" · ")}` : `${head}${body}`;
}

function formatAttrs(n: Node): string[] {
  return Object.entries(n.attrs).map(([k, v]) => {
    if (v && typeof v === "object" && "key" in v) return `${k}=${(v as UserFn).name}`;
    return `${k}=${JSON.stringify(v)}`;
  });
}

function formatValue(n: Node): string {
  const d = n.value!.data;
  if (n.value!.shape.length === 0) return String(d[0]);
  const shown = Array.from(d.slice(0, 6)).join(", ");
  return `[${shown}${d.length > 6 ? ", …" : ""}]`;
}
