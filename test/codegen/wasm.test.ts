/**
 * The WebAssembly writer against an independent assembler: for kernels of several
 * shapes, the bytes gradc writes equal wabt's assembly of the WAT listing gradc prints
 * (so the listing in a --simd module is exactly what runs), and the module validates.
 */
import wabtInit from "wabt";
import { describe, expect, it } from "vitest";
import { nonzerosKernel, SIMD_GLOBALS, simdMatmul } from "../../src/codegen/simd.js";
import { memoryLimitsAt, wasmBinary, wasmText } from "../../src/codegen/wasm.js";
import { GATHER_KERNEL } from "../../src/runtime/gather.js";
import { updateFunctions } from "../../src/runtime/update.js";

describe("the WebAssembly writer", () => {
  const shapes = [
    [784, 50],
    [50, 10],
    [3, 4],
    [7, 7],
    [100, 64],
  ] as const;
  for (const [K, N] of shapes) {
    it(`rows and scatter kernels for K=${K}, N=${N}: gradc's bytes are wabt's assembly of gradc's listing`, async () => {
      const wabt = await wabtInit();
      const fns = [nonzerosKernel("nonzeros_k", K, "list"), simdMatmul({ name: "rows_k", kind: "rows", K, N, doc: "rows" }), simdMatmul({ name: "scatter_k", kind: "scatter", K, N, doc: "scatter" })];
      const ours = wasmBinary(fns, { globals: SIMD_GLOBALS });
      const listing = wasmText(fns, SIMD_GLOBALS);
      const theirs = wabt.parseWat("kernels.wat", listing, { simd: true, bulk_memory: true }).toBinary({}).buffer;
      expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
      expect(WebAssembly.validate(ours)).toBe(true);
      // the shared variant: the same listing with a shared memory, one byte apart
      const shared = wasmBinary(fns, { globals: SIMD_GLOBALS, shared: true });
      const sharedText = listing.replace("(memory 0 65536)", "(memory 0 65536 shared)");
      const theirsShared = wabt.parseWat("kernels.wat", sharedText, { simd: true, bulk_memory: true, threads: true }).toBinary({}).buffer;
      expect(Buffer.from(shared).toString("hex")).toBe(Buffer.from(theirsShared).toString("hex"));
      const at = memoryLimitsAt(fns, SIMD_GLOBALS);
      expect([ours[at], shared[at]]).toEqual([1, 3]);
      expect([...ours].filter((b, i) => b !== shared[i]).length).toBe(1);
    });
  }

  it("the batch gatherer's kernel (runtime/gather.ts): gradc's bytes are wabt's assembly of its listing", async () => {
    const wabt = await wabtInit();
    const ours = wasmBinary([GATHER_KERNEL]);
    const theirs = wabt.parseWat("gather.wat", wasmText([GATHER_KERNEL]), { simd: true }).toBinary({}).buffer;
    expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
    expect(WebAssembly.validate(ours)).toBe(true);
  });

  it("the optimizers' update kernels (runtime/update.ts, f64x2 lanes over four streams): gradc's bytes are wabt's assembly of its listing", async () => {
    const wabt = await wabtInit();
    for (const threads of [1, 2, 3]) {
      const fns = updateFunctions(threads);
      const ours = wasmBinary(fns, { shared: true });
      const listing = wasmText(fns).replace("(memory 0 65536)", "(memory 0 65536 shared)");
      const theirs = wabt.parseWat("update.wat", listing, { simd: true, threads: true }).toBinary({}).buffer;
      expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
    }
  });

  // N = 6: a row of C in two f32x4 registers; N = 109: 27 f32x4 and a float, more than the machine has (V8 keeps them on its stack)
  for (const N of [6, 109]) it(`runs (N = ${N}): nonzeros lists A's non-zeros, rows computes A · B and scatter Aᵀ · B over the list, in float32; dense loops with B not finite`, () => {
    const [K, M] = [5, 3];
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536 });
    const fns = [nonzerosKernel("nonzeros", K, ""), simdMatmul({ name: "rows", kind: "rows", K, N, doc: "" }), simdMatmul({ name: "scatter", kind: "scatter", K, N, doc: "" })];
    type Kernel = (...args: number[]) => void;
    const k = new WebAssembly.Instance(new WebAssembly.Module(wasmBinary(fns, { globals: SIMD_GLOBALS })), { env: { memory, list: 0 } }).exports as unknown as Record<string, Kernel>;
    // views of the kernels' memory, filled in place
    const view = (at: number, n: number, f: (i: number) => number) => {
      const v = new Float32Array(memory.buffer, at, n);
      v.forEach((_, i) => (v[i] = f(i)));
      return v;
    };
    // bytes [0, 256) hold the swizzle table ($list = 0); the list of A's non-zeros at 8192
    const L = 8192;
    const A = view(4096, M * K, (i) => (i % 3 === 0 ? 0 : i - 4));
    k["nonzeros"]!(4096, L, M);
    const starts = new Int32Array(memory.buffer, L, M + 1);
    const columns = new Int32Array(memory.buffer, L + 4 * (M + 1), M * K);
    for (let i = 0; i < M; i++) {
      const want = [...Array(K).keys()].filter((q) => A[i * K + q] !== 0);
      expect(Array.from(columns.subarray(starts[i]!, starts[i + 1]!))).toEqual(want);
    }
    for (const infinite of [false, true]) {
      const B = view(16384, K * N, (i) => (infinite && i === 7 ? Infinity : i * 0.5 - 3));
      const C = new Float32Array(memory.buffer, 24576, M * N);
      k["rows"]!(4096, 16384, 24576, M, L);
      expectProduct(C, M, N, K, (i, j, p) => A[i * K + p]! * B[p * N + j]!);
      const G = view(32768, M * N, (i) => (infinite && i === 4 ? NaN : 1 - i * 0.25));
      const D = view(40960, K * N, () => 99); // every row of C is written, those of empty columns as zeros
      k["scatter"]!(4096, 32768, 40960, M, L);
      expectProduct(D, K, N, M, (p, j, i) => A[i * K + p]! * G[i * N + j]!);
    }
  });
});

/** `out` (rows × cols, row-major) holds Σ over `inner` of term(row, col, k): NaN where the sum is NaN, else within 1e-4. */
function expectProduct(out: Float32Array, rows: number, cols: number, inner: number, term: (row: number, col: number, k: number) => number): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += term(r, c, k);
      if (Number.isNaN(s)) expect(out[r * cols + c]).toBeNaN();
      else expect(out[r * cols + c]).toBeCloseTo(s, 4);
    }
  }
}
