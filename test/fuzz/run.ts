/**
 * `npm run fuzz`: FUZZ_ITERATIONS inputs (default 100,000) from FUZZ_SEED, each compiled
 * through the front end, autodiff, the optimizer and the kernel planner, and every 20th
 * through code generation too. Every input must
 * end in success or a located GradcError; anything else is a crash, printed with its seed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { emitModule } from "../../src/codegen/index.js";
import { GradcError, compileText } from "../../src/index.js";
import { plan } from "../../src/optimize/fuse.js";
import { optimize } from "../../src/optimize/pipeline.js";
import { roots } from "../../src/optimize/rebuild.js";
import { fuzzInput } from "./mutate.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const corpus = readdirSync(`${ROOT}graphs`).filter((f) => f.endsWith(".graph")).map((f) => readFileSync(`${ROOT}graphs/${f}`, "utf8"));

/** Compiles one input; returns a description of the crash, or undefined. */
export function fuzzOne(text: string, compile: (text: string) => unknown = pipeline): string | undefined {
  try {
    compile(text);
    return undefined;
  } catch (e) {
    if (e instanceof GradcError && e.diagnostic.span) return undefined;
    if (e instanceof GradcError) return `an error without a location: ${e.message}`;
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

function pipeline(text: string): void {
  plan(roots(optimize(compileText(text, "fuzz.graph"))));
}

/** The whole compiler, through code generation with ts-morph (slower: every 20th input). */
function emitting(text: string): void {
  emitModule(compileText(text, "fuzz.graph"));
}

export function fuzz(count: number, seed: number): { crashes: { seed: number; why: string; text: string }[]; seconds: number } {
  const t0 = performance.now();
  const crashes: { seed: number; why: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const text = fuzzInput(seed + i, corpus);
    const why = fuzzOne(text, (seed + i) % 20 === 0 ? emitting : pipeline);
    if (why) crashes.push({ seed: seed + i, why, text });
  }
  return { crashes, seconds: (performance.now() - t0) / 1000 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const count = Number(process.env["FUZZ_ITERATIONS"] ?? 100_000);
  const seed = Number(process.env["FUZZ_SEED"] ?? 1);
  const r = fuzz(count, seed);
  for (const c of r.crashes.slice(0, 10)) process.stdout.write(`seed ${c.seed}: ${c.why}\n${c.text}\n---\n`);
  process.stdout.write(`${count} inputs from seed ${seed}: ${r.crashes.length} crashes, ${r.seconds.toFixed(1)} s\n`);
  process.exitCode = r.crashes.length > 0 ? 1 : 0;
}
