/**
 * `gradc ir --rewrites FILE`: what the optimizer did to the graph, pass by pass — each
 * rewrite with its rule (x*1 → x), the .graph line it came from, and the nodes before and
 * after — so no simplification is hidden (a stability or algebraic rewrite is shown, not
 * silently applied).
 */
import { isConst, isExternal, leafName, type Graph, type Node } from "../graph/ir.js";
import { nodeNames } from "../graph/print.js";
import { optimize, type PassReport } from "../optimize/pipeline.js";
import { formatType } from "../tensor/types.js";
import { formatNumber } from "./format.js";

export function rewritesReport(graph: Graph): string {
  const report: PassReport[] = [];
  optimize(graph, undefined, report);
  const file = graph.file.split(/[\\/]/).pop()!;
  const lines = [`${file}: ${report[0]?.before ?? 0} nodes with the gradients; ${report.at(-1)?.after ?? 0} after the optimizer`, ""];
  const width = Math.max(...report.map((r) => r.pass.name.length));
  for (const r of report) {
    const count = r.before === r.after ? `${r.after} nodes` : `${r.before} → ${r.after} nodes`;
    lines.push(`${r.pass.name.padEnd(width)}  ${count.padEnd(16)}  ${r.pass.why}`);
    const names = nodeNames(r.graph);
    const rows = r.rewrites.map((w) => [w.node.span ? `${file}:${w.node.span.line}:${w.node.span.col}` : file, w.rule, w.identity, `${describe(w.node, names)} → ${names.get(w.by.id) ?? describe(w.by, names)}`]);
    const widths = [0, 1, 2].map((k) => Math.max(0, ...rows.map((row) => row[k]!.length)));
    for (const row of rows) lines.push(`  ${row.map((c, k) => (k < 3 ? c.padEnd(widths[k]!) : c)).join("  ")}`);
  }
  return lines.join("\n") + "\n";
}

/** A node as a reader of the .graph file knows it: its name, its value, or its op over its inputs' names. */
function describe(n: Node, names: ReadonlyMap<number, string>, depth = 0): string {
  if (isConst(n)) {
    const v = n.value!;
    if (v.shape.length === 0) return formatNumber(v.data[0]!);
    // a small constant by its elements (row-major), a larger one by its type
    return v.data.length <= 6 ? `[${Array.from(v.data, (x) => formatNumber(x)).join(", ")}]` : `constant ${formatType(n.type)}`;
  }
  if (isExternal(n)) return leafName(n);
  const name = names.get(n.id);
  if (name && depth > 0) return name;
  if (depth > 1) return `${n.op}(…)`;
  return `${n.op}(${n.inputs.map((i) => describe(i, names, depth + 1)).join(", ")})`;
}
