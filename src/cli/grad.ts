/**
 * `gradc grad FILE --symbolic`: for a scalar graph, each requested gradient as a
 * simplified formula (mathjs), and the local derivative rule of each op it uses.
 */
import { localRule, symbolicGradients } from "../autodiff/symbolic.js";
import { codes, fail } from "../diagnostics/index.js";
import { ancestors } from "../graph/ir.js";
import { loadGraph } from "../pipeline.js";

export function gradCommand(file: string, opts: { symbolic?: boolean }): void {
  if (!opts.symbolic) fail(codes.cli, "gradc grad prints gradients as formulas: add --symbolic (use gradc run for numbers)");
  const graph = loadGraph(file);
  if (graph.grads.length === 0) fail(codes.cli, `${file} asks for no gradient: add 'grad NAME wrt X' or 'loss NAME'`);
  const name = (n: { attrs: Readonly<Record<string, unknown>> }) => String(n.attrs["name"]);
  const lines: string[] = [];
  for (const of of new Set(graph.grads.map((g) => g.ofNode))) {
    const asked = graph.grads.filter((g) => g.ofNode === of);
    const formulas = symbolicGradients(of, asked.map((g) => g.wrtNode), name);
    if (!formulas) fail(codes.cli, `d ${asked[0]!.of}: only scalar graphs of elementwise ops have formulas (${file} has tensors or ops mathjs cannot differentiate)`);
    asked.forEach((g, i) => lines.push(`d ${g.of} / d ${g.wrt} = ${formulas[i]}`));
  }
  const used = [...new Set(ancestors(graph.grads.map((g) => g.ofNode)).map((n) => n.op))].filter((op) => localRule(op));
  if (used.length > 0) {
    lines.push("", "local derivatives (each node's rule, chained by backpropagation):");
    for (const op of used) lines.push(`  ${op}: ${localRule(op)}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}
