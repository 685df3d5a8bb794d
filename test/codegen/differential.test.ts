/**
 * Compiled code against the reference interpreter: every graph in graphs/ and 1000
 * random well-typed graphs per run (seeded), forward and backward: float64 within a
 * relative 1e-12 per element for graphs/, equal (===) for the random graphs; float32 within 1e-5 of each tensor's scale
 * (‖a − b‖∞ / ‖b‖∞, and at least 1e-6 absolute), since float32 rounding of
 * ill-conditioned elements (log near 1) is amplified element by element, and a gradient
 * that cancels to 0 in float64 is a few 1e-8 in float32.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bind, compileText, interpret, type Graph } from "../../src/index.js";
import { runCompiled } from "../../src/runtime/compiled.js";
import { loadCompiled } from "../../src/runtime/load.js";
import { compareWith, flatten, rounded, worst } from "../gen/compare.js";
import { HOSTILE_NAMES, randomGraph, type RandomGraphOptions } from "../gen/random-graph.js";
import { ROOT } from "../helpers.js";
import { CASES, PRELUDE } from "../ops/cases.js";

const RANDOM_GRAPHS = 1000;
const FIRST_SEED = Number(process.env["GRADC_DIFF_SEED"] ?? 1000);

async function compare(g: Graph, seed: number) {
  return compareWith((graph, options) => loadCompiled(graph, options), g, bind(g, { seed }));
}

/** The --simd module (matmuls in WebAssembly) against the interpreter on float32-rounded values. */
async function compareSimd(g: Graph, seed: number) {
  const env32 = rounded(bind(g, { seed }));
  const ref32 = flatten(interpret(g, env32));
  const mod = await loadCompiled(g, { dtype: "f32", simd: true });
  const got = flatten(runCompiled(mod, g, env32, { dtype: "f32" }));
  const fwd = runCompiled(mod, g, env32, { dtype: "f32", forwardOnly: true }).outputs;
  return { step: worst(got, ref32, 1, 0.1), forward: worst(fwd, new Map([...got].filter(([k]) => fwd.has(k))), 0, 0) };
}

describe("compiled code agrees with the interpreter on every graph in graphs/", () => {
  for (const file of readdirSync(`${ROOT}graphs`).filter((f) => f.endsWith(".graph"))) {
    it(file, async () => {
      const g = compileText(readFileSync(`${ROOT}graphs/${file}`, "utf8"), `graphs/${file}`);
      const r = await compare(g, 1);
      expect(r.f64.rel, r.f64.at).toBeLessThanOrEqual(1e-12);
      expect(r.forward.rel, r.forward.at).toBeLessThanOrEqual(1e-12);
      expect(r.f32.rel, r.f32.at).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe("compiled code agrees with the interpreter on an expression per op (test/ops/cases.ts)", () => {
  for (const entry of CASES) {
    const expr = typeof entry === "string" ? entry : entry[0];
    it(expr, async () => {
      const g = compileText(`${PRELUDE}y = ${expr}\noutput y\nL = sum(y * y)\ngrad L wrt a, b, c, d, s\n`, "case.graph");
      const r = await compare(g, 1);
      expect(r.f64.rel, r.f64.at).toBeLessThanOrEqual(1e-12);
      expect(r.forward.rel, r.forward.at).toBeLessThanOrEqual(1e-12);
    });
  }
});

describe("--simd modules (matmuls in WebAssembly SIMD) agree with the interpreter within float32 tolerance", () => {
  for (const file of readdirSync(`${ROOT}graphs`).filter((f) => f.endsWith(".graph"))) {
    it(file, async () => {
      const r = await compareSimd(compileText(readFileSync(`${ROOT}graphs/${file}`, "utf8"), `graphs/${file}`), 1);
      expect(r.step.rel, r.step.at).toBeLessThanOrEqual(1e-5);
      expect(r.forward.rel, r.forward.at).toBe(0);
    });
  }

  it("on 200 random matmul graphs (sizes, zeros, epilogues, transposed reads; half of them with hostile names), every one with WebAssembly matmuls", { timeout: 300_000 }, async () => {
    const { emitModule } = await import("../../src/codegen/index.js");
    const failures: string[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const text = matmulGraph(seed, seed % 2 === 0);
      const g = compileText(text, `matmul-${seed}.graph`);
      if (!emitModule(g, { simd: true }).includes("(call $rows_")) failures.push(`seed ${seed}: no WebAssembly kernel\n${text}`);
      const r = await compareSimd(g, seed);
      if (!(r.step.rel <= 1e-5) || r.forward.rel !== 0) failures.push(`seed ${seed}: ${r.step.rel} (${r.step.at}), forward ${r.forward.rel}\n${text}`);
    }
    expect(failures.slice(0, 3).join("\n")).toBe("");
  });
});

describe("a zero of A times an infinity or NaN of B is NaN in every back end, as in the interpreter (zero skipping stays sound)", () => {
  const graphs = [
    "input a: f32[2, 2] = [[0, 1], [0, 0]]\nparam w: f32[2, 4] = [[1e309, 1, 2, 3], [1, -1e309, 1, 1]]\nh = a @ w\nL = sum(h * h)\noutput h\nloss L\n",
    "input a: f32[3, 2] = [[0, 1], [0, 0], [2, 0]]\nparam w: f32[2, 5] = [[1, 1, 2, 3, 4], [1, 1, 1, 1, 1]]\nparam c: f32[5] = [0, 0, 1e309, 0, 0]\nh = a @ w + c\nL = sum(h * (h - h))\noutput h\nloss L\n",
    "input a: f64[1, 2] = [[0, 1]]\ninput b: f64[2, 1] = [[1e309], [1]]\ny = a @ b\nL = sum(y)\noutput y\ngrad L wrt a, b\n",
  ];
  for (const text of graphs) {
    it(text.split("\n")[1]!, async () => {
      const g = compileText(text, "nonfinite.graph");
      const ref = flatten(interpret(g, bind(g, { seed: 1 })));
      expect([...ref.values()].some((t) => t.data.some((v) => Number.isNaN(v)))).toBe(true);
      const r = await compare(g, 1);
      expect(r.f64.rel, r.f64.at).toBe(0);
      expect(r.f32.rel, r.f32.at).toBeLessThanOrEqual(1e-6);
      const simd = await compareSimd(g, 1);
      expect(simd.step.rel, simd.step.at).toBeLessThanOrEqual(1e-6);
    });
  }
});

/** A small f32 graph whose matmuls qualify for WebAssembly: A (often half zeros) @ W with an epilogue, and Aᵀ @ G in its gradient. */
function matmulGraph(seed: number, hostile = false): string {
  const text = plainMatmulGraph(seed);
  if (!hostile) return text;
  // the same graph with its names (a, w, c, t, h, L and the dim B) drawn from the hostile list
  const names = HOSTILE_NAMES;
  const pickName = (k: number) => names[(seed * 31 + k * 17) % names.length]!;
  const renamed = new Map(["a", "w", "c", "t", "h", "L", "B"].map((n, k) => [n, pickName(k)]));
  if (new Set(renamed.values()).size < renamed.size) return text;
  return text.replace(/\b(a|w|c|t|h|L|B)\b/g, (n) => renamed.get(n)!);
}

function plainMatmulGraph(seed: number): string {
  let s = seed * 7919;
  const pick = (n: number) => ((s = (s * 48271) % 2147483647) % n);
  // one in four has a row of C wider than the registers hold
  const [K, N, B] = [1 + pick(40), pick(4) === 0 ? 57 + pick(80) : 4 + pick(37), 1 + pick(9)];
  const a = ["a", "relu(a - 0.5)", "relu(a) * (a - 0.7)"][pick(3)]!;
  const epilogue = ["", " + c", " * c", ""][pick(4)]!;
  const act = ["tanh", "relu", ""][pick(3)]!;
  const rows = pick(2) === 0 ? "dim B\n" : "";
  const b = rows ? "B" : String(B);
  return `${rows}input a: f32[${b}, ${K}]\nparam w: f32[${K}, ${N}] ~ normal(0, 0.5)\nparam c: f32[${N}] ~ uniform(-1, 1)\ninput t: f32[${b}, ${N}]\n` +
    `h = ${act}((${a}) @ w${epilogue})\noutput h\nL = sum(h * t)\nloss L\n`;
}

describe(`compiled code agrees with the interpreter on ${RANDOM_GRAPHS} random graphs`, () => {
  it("float64 bit for bit, float32 within 1e-5, forward-only equal to step", { timeout: 300_000 }, async () => {
    await agreeOnRandomGraphs({});
  });

  it("with every name drawn from the hostile list (globals, reserved words, the module's own names, kernel locals)", { timeout: 300_000 }, async () => {
    await agreeOnRandomGraphs({ hostile: true });
  });
});

/** Every random graph compiled agrees with the interpreter; a crash counts as a failure too. */
async function agreeOnRandomGraphs(options: RandomGraphOptions) {
  const failures: string[] = [];
  for (let seed = FIRST_SEED; seed < FIRST_SEED + RANDOM_GRAPHS; seed++) {
    const { text } = randomGraph(seed, options);
    try {
      const g = compileText(text, `random-${seed}.graph`);
      const r = await compare(g, seed);
      // float64 bit for bit: kernels add in the interpreter's order, so fusion changes no rounding
      if (r.f64.rel !== 0 || r.forward.rel !== 0 || r.f32.rel > 1e-5) {
        failures.push(`seed ${seed}: f64 ${r.f64.rel} (${r.f64.at}), fwd ${r.forward.rel}, f32 ${r.f32.rel} (${r.f32.at})\n${text}`);
      }
    } catch (e) {
      failures.push(`seed ${seed}: ${e instanceof Error ? e.message.split("\n").slice(0, 3).join("\n") : String(e)}\n${text}`);
    }
  }
  expect(failures.slice(0, 3).join("\n"), `${failures.length} of ${RANDOM_GRAPHS} failed`).toBe("");
}

describe("the WebAssembly printer (--simd) computes the TypeScript printer's bits, kernel for kernel", () => {
  // float64, where no matmul runs in SIMD lanes, every kernel of both modules is the same kernel program
  // in two printers; float32 too when no matmul qualifies (a SIMD matmul accumulates in float32)
  it("on 200 random graphs, half with hostile names: every output and gradient, NaN where NaN", { timeout: 300_000 }, async () => {
    const { kernelListing } = await import("../../src/codegen/index.js");
    const failures: string[] = [];
    const same = (a: Map<string, { data: ArrayLike<number> }>, b: Map<string, { data: ArrayLike<number> }>) =>
      [...b].every(([k, t]) => a.has(k) && Array.from(t.data).every((v, i) => Object.is(v, a.get(k)!.data[i])));
    for (let seed = FIRST_SEED; seed < FIRST_SEED + 200; seed++) {
      const { text } = randomGraph(seed, { hostile: seed % 2 === 0 });
      try {
        const g = compileText(text, `random-${seed}.graph`);
        const env = bind(g, { seed });
        for (const dtype of ["f64", "f32"] as const) {
          if (dtype === "f32" && kernelListing(g, { dtype, simd: true }).includes("\n  wasm ")) continue;
          const values = dtype === "f32" ? rounded(env) : env;
          const ts = flatten(runCompiled(await loadCompiled(g, { dtype }), g, values, { dtype }));
          const wasm = flatten(runCompiled(await loadCompiled(g, { dtype, simd: true }), g, values, { dtype }));
          if (!same(wasm, ts)) failures.push(`seed ${seed} (${dtype}): ${worst(wasm, ts, 0).at}\n${text}`);
        }
      } catch (e) {
        failures.push(`seed ${seed}: ${e instanceof Error ? e.message.split("\n").slice(0, 3).join("\n") : String(e)}\n${text}`);
      }
    }
    expect(failures.slice(0, 3).join("\n"), `${failures.length} of 200 differ`).toBe("");
  });
});
