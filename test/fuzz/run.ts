/**
 * `npm run fuzz`: FUZZ_ITERATIONS inputs (default 100,000) from FUZZ_SEED. Every input goes
 * the whole way: parsed, typed, differentiated and optimized; then, if gradc accepts it,
 * compiled (float64 and float32 modules), run on seeded values, and compared with the
 * reference interpreter — float64 within 1e-12 (relative), float32 within 1e-5 of each
 * tensor's scale, forward-only equal to step. An input must end in a located error or in
 * agreement: anything else — a crash, an error without a location, a wrong number, an
 * input over the time limit — is a failure, printed with its seed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ts } from "ts-morph";
import { emitModule } from "../../src/codegen/index.js";
import { GradcError, bind, compileText, type Graph } from "../../src/index.js";
import type { CompiledModule } from "../../src/runtime/load.js";
import { compareWith } from "../gen/compare.js";
import { fuzzInput } from "./mutate.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const corpus = readdirSync(`${ROOT}graphs`).filter((f) => f.endsWith(".graph")).map((f) => readFileSync(`${ROOT}graphs/${f}`, "utf8"));

/** An input over this many seconds counts as a hang. */
const TIME_LIMIT_S = Number(process.env["FUZZ_TIME_LIMIT"] ?? 10);
/** Inputs whose bound values hold more elements are compiled but not run (the run would only measure memory). */
const MAX_RUN_ELEMENTS = 200_000;

/** A generated module, transpiled and evaluated in memory (no file, no import: 100,000 of them must not pile up). */
export function loadInMemory(g: Graph, options: { dtype: "f32" | "f64"; simd?: boolean }): CompiledModule {
  const js = ts.transpileModule(emitModule(g, options), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: Record<string, unknown> = {};
  // the generated module imports nothing: its only free names are JavaScript's globals
  new Function("exports", js)(exports);
  return exports as unknown as CompiledModule;
}

/** What an input came to: undefined when gradc refused it with a located error or agreed with the interpreter. */
export async function fuzzOne(text: string, deep: (g: Graph, seed: number) => Promise<string | undefined> = compareDeep, seed = 1): Promise<string | undefined> {
  let g: Graph;
  try {
    g = compileText(text, "fuzz.graph");
  } catch (e) {
    return refusal(e);
  }
  try {
    return await deep(g, seed);
  } catch (e) {
    return refusal(e);
  }
}

function refusal(e: unknown): string | undefined {
  if (e instanceof GradcError && e.diagnostic.span) return undefined;
  if (e instanceof GradcError) return `an error without a location: ${e.message}`;
  return e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e);
}

/** Compiled against interpreted, on the input's defaults and seeded values. */
async function compareDeep(g: Graph, seed: number): Promise<string | undefined> {
  let env;
  try {
    env = bind(g, { seed });
  } catch (e) {
    // a value gradc refuses to bind (a label out of range) is refused with a message, not a crash
    if (e instanceof GradcError) return undefined;
    throw e;
  }
  const elements = [...env.values.values()].reduce((n, t) => n + t.data.length, 0);
  if (elements > MAX_RUN_ELEMENTS) return undefined;
  const r = await compareWith(loadInMemory, g, env);
  if ((globalThis as Record<string, unknown>)["fuzzInjected"] !== undefined) {
    delete (globalThis as Record<string, unknown>)["fuzzInjected"];
    return "code from the .graph file ran: a comment or a name escaped into the module";
  }
  if (r.f64.rel > 1e-12) return `wrong float64 result: ${r.f64.at} (relative ${r.f64.rel})`;
  if (r.forward.rel > 1e-12) return `forward differs from step: ${r.forward.at}`;
  if (r.f32.rel > 1e-5) return `wrong float32 result: ${r.f32.at} (relative ${r.f32.rel})`;
  return undefined;
}

export interface FuzzReport {
  readonly failures: { seed: number; why: string; text: string }[];
  /** inputs gradc compiled and ran against the interpreter */
  readonly compared: number;
  readonly seconds: number;
  readonly slowest: { seed: number; seconds: number };
}

export async function fuzz(count: number, seed: number): Promise<FuzzReport> {
  const t0 = performance.now();
  const failures: { seed: number; why: string; text: string }[] = [];
  let compared = 0;
  let slowest = { seed, seconds: 0 };
  const counting = async (g: Graph, s: number) => {
    compared++;
    return compareDeep(g, s);
  };
  for (let i = 0; i < count; i++) {
    const text = fuzzInput(seed + i, corpus);
    const start = performance.now();
    let why = await fuzzOne(text, counting, seed + i);
    const seconds = (performance.now() - start) / 1000;
    if (seconds > slowest.seconds) slowest = { seed: seed + i, seconds };
    if (!why && seconds > TIME_LIMIT_S) why = `took ${seconds.toFixed(1)} s (limit ${TIME_LIMIT_S} s)`;
    if (why) failures.push({ seed: seed + i, why, text });
  }
  return { failures, compared, seconds: (performance.now() - t0) / 1000, slowest };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const count = Number(process.env["FUZZ_ITERATIONS"] ?? 100_000);
  const seed = Number(process.env["FUZZ_SEED"] ?? 1);
  const r = await fuzz(count, seed);
  for (const c of r.failures.slice(0, 10)) process.stdout.write(`seed ${c.seed}: ${c.why}\n${c.text}\n---\n`);
  process.stdout.write(
    `${count} inputs from seed ${seed}: ${r.compared} compiled and compared with the interpreter, ${r.failures.length} failures ` +
      `(crashes, wrong results, hangs), ${r.seconds.toFixed(1)} s; slowest input ${r.slowest.seconds.toFixed(2)} s (seed ${r.slowest.seed}), ` +
      `peak heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB\n`,
  );
  process.exitCode = r.failures.length > 0 ? 1 : 0;
}
