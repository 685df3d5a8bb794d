/** `gradc check FILE`: backprop against central differences, the textbook's gradient check. */
import { loadGraph, requireResults } from "../pipeline.js";
import { checkGradients, type GradCheck } from "../interp/check.js";
import { bind } from "../runtime/bind.js";
import { runCompiled } from "../runtime/compiled.js";
import { loadCompiled } from "../runtime/load.js";
import { formatNumber } from "./format.js";
import { givenValues, sayRandom, type ValueOptions } from "./options.js";

export async function checkCommand(file: string, opts: ValueOptions & { tol: number; sample: number; interpret?: boolean }): Promise<void> {
  const graph = requireResults(loadGraph(file));
  if (graph.grads.length === 0) {
    process.stdout.write(`${file} has no gradients to check: add 'loss NAME' or 'grad NAME wrt X'\n`);
    return;
  }
  const given = givenValues(opts);
  const env = bind(graph, { given, seed: opts.seed });
  sayRandom(graph, given, opts.seed);
  // --sample is a positive count or Infinity ('all'), checked by its option parser
  const sample = opts.sample;
  // the compiled module's float64 gradients, against central differences of the interpreter
  const analytic = opts.interpret ? undefined : runCompiled(await loadCompiled(graph, { dtype: "f64" }), graph, env, { dtype: "f64" }).grads;
  const results = checkGradients(graph, env, { atol: opts.tol, rtol: opts.tol, sample, seed: opts.seed }, analytic);
  const several = new Set(results.map((r) => r.of)).size > 1;
  const label = (r: GradCheck) => (several ? `d${r.of}/d${r.wrt}` : r.wrt);
  // the textbook's lines first, one figure per gradient; then where each is worst, and why
  for (const r of results) {
    const part = r.checked < r.size ? `   (${r.checked} of ${r.size} elements)` : "";
    process.stdout.write(`${label(r)}:${r.meanAbsDiff.toExponential(1)}${part}${r.ok ? "" : "   <-- above tolerance"}\n`);
  }
  process.stdout.write(`\nworst element of each (backprop, central differences):\n`);
  for (const r of results) for (const line of explain(r, env.values.get(r.wrt)?.shape, label(r))) process.stdout.write(line + "\n");
  const failed = results.filter((r) => !r.ok).length;
  if (failed > 0) {
    process.stderr.write(`gradc: ${failed} of ${results.length} gradients differ from central differences by more than ${opts.tol}\n`);
    process.exitCode = 1;
  }
}

/** What a figure alone does not say: where the worst element is, and why the check may mean nothing there. */
function explain(r: GradCheck, shape: readonly number[] | undefined, label: string): string[] {
  const { backprop, numerical } = r.worst;
  const differ = Number.isFinite(backprop) && Number.isFinite(numerical) ? `, differ by ${Math.abs(backprop - numerical).toExponential(1)}` : "";
  const name = label === r.wrt ? r.wrt : `${label} at ${r.wrt}`;
  const lines = [`  ${name}${indexText(r.worst.index, shape)}: ${formatNumber(backprop)}, ${formatNumber(numerical)}${differ}`];
  const of = `${r.checked} compared elements`;
  if (r.nonFinite > 0) lines.push(`    ${r.nonFinite} of ${of} are not finite (NaN or ±Infinity): the graph overflows or takes log/sqrt of a value out of its domain there, so the figure means nothing`);
  if (r.kinks > 0) lines.push(`    ${r.kinks} of ${of} sit at a kink (relu at 0, abs at 0, a tie of max): central differences average the two one-sided slopes there, so a difference is expected`);
  if (r.rough > 0) lines.push(`    ${r.rough} of ${of} are where the function bends too sharply for the step of 1e-4 (e.g. 1/x near 0), or near a kink: central differences are inaccurate there`);
  return lines;
}

/** [i, j] of a flat index in the value's shape (nothing for a scalar); [k] when the shape is not known. */
function indexText(flat: number, shape: readonly number[] | undefined): string {
  if (shape?.length === 0) return "";
  if (!shape || shape.length < 2) return `[${flat}]`;
  const out: number[] = [];
  for (let i = shape.length - 1, rest = flat; i >= 0; i--) {
    out.unshift(rest % shape[i]!);
    rest = Math.floor(rest / shape[i]!);
  }
  return `[${out.join(", ")}]`;
}
