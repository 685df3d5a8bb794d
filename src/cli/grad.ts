/**
 * `gradc grad FILE --symbolic`: for a scalar graph, each requested gradient as a
 * simplified formula (mathjs), and the local derivative rule of each op it uses.
 */
import { localRule, symbolicGradients } from "../autodiff/symbolic.js";
import * as errors from "../diagnostics/errors.js";
import { ancestors, isOp } from "../graph/ir.js";
import { ops } from "../ops/index.js";
import { loadGraph } from "../pipeline.js";

export function gradCommand(file: string, opts: { symbolic?: boolean }): void {
  if (!opts.symbolic) errors.gradNeedsSymbolic();
  const graph = loadGraph(file);
  if (graph.grads.length === 0) errors.asksForNoGradient({ file });
  const name = (n: { attrs: Readonly<Record<string, unknown>> }) => String(n.attrs["name"]);
  const lines: string[] = [];
  for (const of of new Set(graph.grads.map((g) => g.ofNode))) {
    const asked = graph.grads.filter((g) => g.ofNode === of);
    const formulas = symbolicGradients(of, asked.map((g) => g.wrtNode), name);
    if (!formulas) {
      // name the first node in the way: an op without a formula, or else the size
      const blocking = ancestors([of]).find((n) => isOp(n) && n !== of && !ops.get(n.op)?.scalar?.formula && !n.attrs["fn"]);
      if (!blocking) errors.formulaTooLarge({ of: asked[0]!.of });
      errors.noFormula({ of: asked[0]!.of, op: blocking.op, where: blocking.span ? `${file}:${blocking.span.line}` : "" });
    }
    asked.forEach((g, i) => lines.push(`d ${g.of} / d ${g.wrt} = ${formulas[i]!.formula}${formulas[i]!.elementwise ? "   (for each element)" : ""}`));
  }
  const used = [...new Set(ancestors(graph.grads.map((g) => g.ofNode)).flatMap((n) => (isOp(n) ? [n.op] : [])))].filter((op) => localRule(op));
  if (used.length > 0) {
    lines.push("", "local derivatives (each node's rule, chained by backpropagation):");
    for (const op of used) lines.push(`  ${op}: ${localRule(op)}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}
