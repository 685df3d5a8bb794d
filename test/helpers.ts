/** Shared test helpers: compile graph text, evaluate it, read errors. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { GradcError, bind, compileText, formatDiagnostic, interpret, type Graph, type Tensor } from "../src/index.js";
import { fromNested, toNested } from "../src/tensor/tensor.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function compile(text: string, file = "test.graph"): Graph {
  return compileText(text, file);
}

/** Runs a graph on its defaults (or `given`), returning outputs and grads as nested arrays. */
export function runText(text: string, given: Record<string, unknown> = {}, seed = 1) {
  const g = compile(text);
  const values = new Map<string, Tensor>(Object.entries(given).map(([k, v]) => [k, fromNested(v)!]));
  const env = bind(g, { given: values, seed });
  const r = interpret(g, env);
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of r.outputs) outputs[k] = toNested(v);
  const grads: Record<string, Record<string, unknown>> = {};
  for (const [of, m] of r.grads) grads[of] = Object.fromEntries([...m].map(([w, v]) => [w, toNested(v)]));
  return { outputs, grads, graph: g, env };
}

/** The located error a graph text produces, formatted; fails the test if it compiles. */
export function errorOf(text: string, file = "bad.graph"): string {
  try {
    compile(text, file);
  } catch (e) {
    if (e instanceof GradcError) return formatDiagnostic(e.diagnostic);
    throw e;
  }
  throw new Error(`expected an error from:\n${text}`);
}

/** Runs the gradc command; returns stdout, stderr and the exit code. */
export function gradc(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [`${ROOT}bin/gradc.js`, ...args], { cwd: ROOT, encoding: "utf8", input, timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

/** Relative closeness of nested arrays/numbers. */
export function close(a: unknown, b: unknown, rtol = 1e-12, atol = 1e-12): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= atol + rtol * Math.abs(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i], rtol, atol));
  return false;
}
