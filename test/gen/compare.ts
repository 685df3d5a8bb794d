/**
 * Compiled code against the reference interpreter, as the differential suite and the
 * fuzzer compare them: every output and gradient, float64 within a relative `floor`,
 * float32 against the interpreter run on float32-rounded values.
 */
import type { Graph, Tensor } from "../../src/index.js";
import { interpret } from "../../src/index.js";
import type { Bindings } from "../../src/interp/index.js";
import { runCompiled } from "../../src/runtime/compiled.js";
import type { CompiledModule } from "../../src/runtime/load.js";

/** The largest |a - b| / max(|b|, scale · floor, absFloor) over all outputs and gradients; a one-sided NaN or a different infinity is Infinity. */
export function worst(a: Map<string, Tensor>, b: Map<string, Tensor>, floor: number, absFloor = 1e-300): { at: string; rel: number } {
  let at = "";
  let rel = 0;
  for (const [name, ref] of b) {
    const got = a.get(name);
    if (!got || got.data.length !== ref.data.length) return { at: `${name}: ${got ? got.data.length : "no"} elements vs ${ref.data.length}`, rel: Infinity };
    const scale = ref.data.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
    for (let i = 0; i < ref.data.length; i++) {
      const want = ref.data[i]!;
      const have = got.data[i]!;
      if (Number.isNaN(want) && Number.isNaN(have)) continue;
      // a NaN on one side only, or infinities that differ, is as wrong as it gets (and a NaN
      // must not be forgotten by the next element's comparison)
      const r = want === have ? 0 : !Number.isFinite(want) || !Number.isFinite(have) ? Infinity : Math.abs(have - want) / Math.max(Math.abs(want), scale * floor, absFloor);
      if (r > rel) {
        rel = r;
        at = `${name}[${i}]: ${have} vs ${want}`;
      }
    }
  }
  return { at, rel };
}

export function flatten(r: { outputs: Map<string, Tensor>; grads: Map<string, Map<string, Tensor>> }): Map<string, Tensor> {
  const all = new Map(r.outputs);
  for (const [of, m] of r.grads) for (const [w, t] of m) all.set(`d${of}/d${w}`, t);
  return all;
}

/** Bindings with every float value rounded to float32, so both sides start from the same numbers. */
export function rounded(env: Bindings): Bindings {
  const values = new Map([...env.values].map(([k, t]) => [k, { shape: t.shape, data: t.data.map(Math.fround) }]));
  return { values, dims: env.dims };
}

export type Loader = (g: Graph, options: { dtype: "f32" | "f64"; simd?: boolean }) => CompiledModule | Promise<CompiledModule>;

/** float64 (step and forward-only) and float32 results of the compiled module against the interpreter. */
export async function compareWith(load: Loader, g: Graph, env: Bindings) {
  const ref = flatten(interpret(g, env));
  const mod64 = await load(g, { dtype: "f64" });
  const f64 = flatten(runCompiled(mod64, g, env, { dtype: "f64" }));
  const env32 = rounded(env);
  const ref32 = flatten(interpret(g, env32));
  const f32 = flatten(runCompiled(await load(g, { dtype: "f32" }), g, env32, { dtype: "f32" }));
  const fwd = runCompiled(mod64, g, env, { dtype: "f64", forwardOnly: true }).outputs;
  return { f64: worst(f64, ref, 1e-12), f32: worst(f32, ref32, 1, 0.1), forward: worst(fwd, new Map([...ref].filter(([k]) => fwd.has(k))), 1e-12) };
}
