/**
 * generated/ is the product: each module is reproduced byte for byte by compiling its
 * graph again, type-checks under `tsc --strict`, imports nothing, and is readable.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { emitModule } from "../../src/codegen/index.js";
import { compileText } from "../../src/index.js";
import { ROOT } from "../helpers.js";

const graphs = readdirSync(`${ROOT}graphs`).filter((f) => f.endsWith(".graph")).sort();
const emit = (file: string, dtype?: "f32" | "f64", simd?: boolean) =>
  emitModule(compileText(readFileSync(`${ROOT}graphs/${file}`, "utf8"), `graphs/${file}`), { source: `graphs/${file}`, dtype, simd });
/** the strictest checks a user's project may turn on: every module passes them */
const STRICT = ["--strict", "--noUncheckedIndexedAccess", "--noUnusedLocals", "--noUnusedParameters"];
/** modules of the second backend (`--simd`): matmuls in WebAssembly SIMD */
const SIMD = ["two_layer_net.graph"];

describe("generated/", () => {
  it("holds one module per graph (and the --simd TwoLayerNet), and nothing else", () => {
    const modules = readdirSync(`${ROOT}generated`).filter((f) => f.endsWith(".ts")).sort();
    expect(modules).toEqual([...graphs.map((g) => g.replace(/\.graph$/, ".ts")), ...SIMD.map((g) => g.replace(/\.graph$/, ".simd.ts"))].sort());
  });

  for (const file of SIMD) {
    it(`${file} --simd: compiling again reproduces generated/ byte for byte`, () => {
      expect(emit(file, undefined, true)).toBe(readFileSync(`${ROOT}generated/${file.replace(/\.graph$/, ".simd.ts")}`, "utf8"));
    });
  }

  it("type-checks the --simd modules with the same strict flags and the ES library alone (they declare the WebAssembly API they use)", { timeout: 60_000 }, () => {
    const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
    const files = SIMD.map((g) => `generated/${g.replace(/\.graph$/, ".simd.ts")}`);
    const r = spawnSync(process.execPath, [tsc, "--ignoreConfig", "--noEmit", ...STRICT, "--target", "ES2022", "--module", "ESNext", "--lib", "ES2022", ...files], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  for (const file of graphs) {
    it(`${file}: compiling again reproduces generated/ byte for byte`, () => {
      const name = file.replace(/\.graph$/, ".ts");
      expect(emit(file)).toBe(readFileSync(`${ROOT}generated/${name}`, "utf8"));
    });
  }

  it("type-checks every module with tsc --strict --noUncheckedIndexedAccess --noUnusedLocals --noUnusedParameters", { timeout: 60_000 }, () => {
    const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
    const files = graphs.map((g) => `generated/${g.replace(/\.graph$/, ".ts")}`);
    const r = spawnSync(process.execPath, [tsc, "--ignoreConfig", "--noEmit", ...STRICT, "--target", "ES2022", "--module", "ESNext", "--lib", "ES2022", ...files], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("folds constant index and size arithmetic: no 0 + q, 50 * 10, x * 1 or template text", () => {
    for (const file of readdirSync(`${ROOT}generated`).filter((f) => f.endsWith(".ts"))) {
      const code = readFileSync(`${ROOT}generated/${file}`, "utf8");
      for (const [what, pattern] of [
        ["0 + x", /[[(\s]0 \+ /],
        ["x + 0", / \+ 0[\])\s;,]/],
        ["a product of numbers", /(?<![\w.])\d+ \* \d+(?![\w.])/],
        ["x * 1", / \* 1[\])\s;,]/],
        ["template text", /\$\{/],
      ] as const) {
        expect(code.match(pattern)?.[0], `${file}: ${what}`).toBeUndefined();
      }
    }
  });

  it("modules import nothing and are deterministic across runs and dtypes", () => {
    for (const file of graphs) {
      const a = emit(file, "f64");
      expect(a).not.toMatch(/^\s*import\b|\brequire\(/m);
      expect(emit(file, "f64")).toBe(a);
    }
  });
});

describe("two_layer_net.ts reads like the textbook's layers", () => {
  const code = readFileSync(`${ROOT}generated/two_layer_net.ts`, "utf8");
  const kernels = [...code.matchAll(/^function (\w+)\(/gm)].map((m) => m[1]);

  it("has a handful of kernels, each named for what it fuses", () => {
    expect(kernels).toEqual([
      "affine_relu_h", // Affine → ReLU, one kernel
      "affine_score", // Affine
      "softmax_ce_loss", // SoftmaxWithLoss forward
      "softmax_ce_grad_score", // SoftmaxWithLoss backward: (y - t) / N
      "sum_grad_b2", // Affine backward: db2 = sum of dout over the batch
      "matmul_grad_W2", // dW2 = hᵀ · dout
      "matmul_relu_backward_grad_h_add", // dh = dout · W2ᵀ, through the ReLU mask
      "sum_grad_b1",
      "matmul_grad_W1", // dW1 = xᵀ · dh; no gradient for x
    ]);
  });

  it("meta holds each param's initializer, a constant value too: one number when every element is it, else the elements", async () => {
    type Init = { kind: string; value?: number | number[]; mean?: number; std?: number };
    const two = (await import(`${ROOT}generated/two_layer_net.ts`)) as { meta: { params: Record<string, { init: Init }> } };
    expect(two.meta.params["W1"]!.init).toEqual({ kind: "normal", mean: 0, std: 0.01 });
    expect(two.meta.params["b1"]!.init).toEqual({ kind: "value", value: 0 });
    const affine = (await import(`${ROOT}generated/affine.ts`)) as typeof two;
    expect(affine.meta.params["W"]!.init).toEqual({ kind: "value", value: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] });
    expect(affine.meta.params["B"]!.init).toEqual({ kind: "value", value: [1, 2] });
    // -0 keeps its sign (JSON would print 0)
    const text = emitModule(compileText("param w: f64[2] = [-0.0, -0.0]\ny = sum(w)\noutput y\n", "z.graph"), { source: "z.graph" });
    expect(text).toContain('init: { kind: "value", value: -0 }');
  });

  it("puts the .graph line over each kernel", () => {
    expect(code).toContain("/**\n * two_layer_net.graph:10  h     = relu(x @ W1 + b1)\n * fuses: matmul · add · relu\n */\nfunction affine_relu_h(");
  });

  it("computes no gradient for the input x and reads the ReLU mask from h", () => {
    expect(code).not.toMatch(/grad_x\b/);
    expect(code).toContain("const step = h[i]! > 0 ? 1 : 0;");
  });

  it("reads transposes in place instead of copying them", () => {
    expect(code).not.toMatch(/^function transpose/m);
    expect(code).toContain("c1 += a * W2[(j + 1) * 10 + p]!;"); // dout · W2ᵀ, read in place
  });
});
