/** `gradc check FILE`: backprop against central differences, the textbook's gradient check. */
import { loadGraph, requireResults } from "../pipeline.js";
import { checkGradients, type GradCheck } from "../interp/check.js";
import type { Graph } from "../graph/ir.js";
import { bind } from "../runtime/bind.js";
import { runCompiled } from "../runtime/compiled.js";
import { loadCompiled } from "../runtime/load.js";
import { givenValues, type ValueOptions } from "./options.js";

export async function checkCommand(file: string, opts: ValueOptions & { tol: number; sample: number; interpret?: boolean }): Promise<void> {
  const graph = requireResults(loadGraph(file));
  if (graph.grads.length === 0) {
    process.stdout.write(`${file} has no gradients to check: add 'loss NAME' or 'grad NAME wrt X'\n`);
    return;
  }
  const env = bind(graph, { given: givenValues(opts), seed: opts.seed });
  // --sample is a positive count or Infinity ('all'), checked by its option parser
  const sample = opts.sample;
  // the compiled module's float64 gradients, against central differences of the interpreter
  const analytic = opts.interpret ? undefined : runCompiled(await loadCompiled(graph, { dtype: "f64" }), graph, env, { dtype: "f64" }).grads;
  const results = checkGradients(graph, env, { atol: opts.tol, rtol: opts.tol, sample, seed: opts.seed }, analytic);
  const several = new Set(results.map((r) => r.of)).size > 1;
  let failed = 0;
  for (const r of results) {
    const label = several ? `d${r.of}/d${r.wrt}` : r.wrt;
    const mark = r.ok ? "" : "   <-- above tolerance";
    if (!r.ok) failed++;
    const part = r.checked < r.size ? `   (${r.checked} of ${r.size} elements)` : "";
    process.stdout.write(`${label}:${r.meanAbsDiff.toExponential(1)}${part}${mark}\n`);
    for (const line of explain(r, graph)) process.stdout.write(`  ${line}\n`);
  }
  if (failed > 0) {
    process.stderr.write(`gradc: ${failed} of ${results.length} gradients differ from central differences by more than ${opts.tol}\n`);
    process.exitCode = 1;
  }
}

/** What a figure alone does not say: where the worst element is, and why the check may mean nothing there. */
function explain(r: GradCheck, graph: Graph): string[] {
  const lines: string[] = [];
  const decl = [...graph.inputs, ...graph.params].find((d) => d.name === r.wrt);
  if (!r.ok || r.nonFinite > 0) {
    const shape = decl?.node.type.shape.every((d) => typeof d === "number") ? (decl.node.type.shape as number[]) : [];
    lines.push(`worst element ${r.wrt}${indexText(r.worst.index, shape)}: backprop ${r.worst.backprop}, central differences ${r.worst.numerical}`);
  }
  if (r.nonFinite > 0) lines.push(`${r.nonFinite} of ${r.checked} elements are not finite (NaN or ±Infinity): the graph overflows or takes log/sqrt of a value out of its domain there`);
  if (r.kinks > 0) lines.push(`${r.kinks} of ${r.checked} elements sit at a kink (relu at 0, abs at 0, a tie of max): central differences average the two one-sided slopes there, so a difference is expected`);
  return lines;
}

/** [i, j] of a flat index in a static shape, or [k] for a flat index. */
function indexText(flat: number, shape: readonly number[]): string {
  if (shape.length < 2) return `[${flat}]`;
  const out: number[] = [];
  for (let i = shape.length - 1, rest = flat; i >= 0; i--) {
    out.unshift(rest % shape[i]!);
    rest = Math.floor(rest / shape[i]!);
  }
  return `[${out.join(", ")}]`;
}
