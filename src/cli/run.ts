/** `gradc run FILE`: evaluate, print outputs and gradients (or one JSON object). */
import { toNested } from "../tensor/tensor.js";
import { loadGraph, requireResults } from "../pipeline.js";
import { run } from "../interp/index.js";
import { bind } from "../runtime/bind.js";
import { runCompiled } from "../runtime/compiled.js";
import { loadCompiled } from "../runtime/load.js";
import * as errors from "../diagnostics/errors.js";
import { formatTensor, toJson } from "./format.js";
import { givenValues, sayRandom, type ValueOptions } from "./options.js";

export async function runCommand(file: string, opts: ValueOptions & { json?: boolean; interpret?: boolean; simd?: boolean }): Promise<void> {
  const graph = requireResults(loadGraph(file));
  const given = givenValues(opts);
  const env = bind(graph, { given, seed: opts.seed });
  sayRandom(graph, given, opts.seed);
  // the compiled module computes (with --simd, the WebAssembly back end's); the interpreter (--interpret) is the reference
  if (opts.interpret && opts.simd) errors.interpretWithSimd();
  const { outputs, grads } = opts.interpret ? run(graph, env) : runCompiled(await loadCompiled(graph, { simd: opts.simd === true }), graph, env);
  if (opts.json) {
    const json = {
      outputs: Object.fromEntries([...outputs].map(([k, v]) => [k, toNested(v)])),
      grads: Object.fromEntries([...grads].map(([of, m]) => [of, Object.fromEntries([...m].map(([w, v]) => [w, toNested(v)]))])),
    };
    process.stdout.write(toJson(json) + "\n");
    return;
  }
  const lines: string[] = [];
  const width = Math.max(0, ...[...outputs.keys()].map((k) => k.length));
  for (const [name, v] of outputs) lines.push(`${name.padEnd(width)} = ${formatTensor(v)}`);
  for (const [of, m] of grads) {
    if (lines.length > 0) lines.push("");
    lines.push(`gradients of ${of}:`);
    const w = Math.max(...[...m.keys()].map((k) => k.length));
    for (const [wrt, v] of m) lines.push(`  ${wrt.padEnd(w)}  ${formatTensor(v, "  ")}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}
