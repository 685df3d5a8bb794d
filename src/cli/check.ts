/** `gradc check FILE`: backprop against central differences, the textbook's gradient check. */
import { loadGraph } from "../index.js";
import { checkGradients } from "../interp/check.js";
import { bind } from "../runtime/bind.js";
import { givenValues, type ValueOptions } from "./options.js";

export function checkCommand(file: string, opts: ValueOptions & { tol: number }): void {
  const graph = loadGraph(file);
  if (graph.grads.length === 0) {
    process.stdout.write(`${file} has no gradients to check: add 'loss NAME' or 'grad NAME wrt X'\n`);
    return;
  }
  const env = bind(graph, { given: givenValues(opts), seed: opts.seed });
  const results = checkGradients(graph, env, { atol: opts.tol, rtol: opts.tol });
  const several = new Set(results.map((r) => r.of)).size > 1;
  let failed = 0;
  for (const r of results) {
    const label = several ? `d${r.of}/d${r.wrt}` : r.wrt;
    const mark = r.ok ? "" : "   <-- above tolerance";
    if (!r.ok) failed++;
    process.stdout.write(`${label}:${r.meanAbsDiff.toExponential(1)}${mark}\n`);
  }
  if (failed > 0) {
    process.stderr.write(`gradc: ${failed} of ${results.length} gradients differ from central differences by more than ${opts.tol}\n`);
    process.exitCode = 1;
  }
}
