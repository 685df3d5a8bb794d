/**
 * Matmul kernels in WebAssembly SIMD, for `--simd` modules: C = A · B in f32x4 lanes
 * with A's zeros skipped (MNIST pixels are 81% zeros), for f32 operands whose inner and
 * column sizes are known at compile time. Two shapes of loop:
 * - rows:    C = A · B — for each row i of C, the row kept in ⌈N/4⌉ vector registers
 *            while the non-zeros of row i of A add a·B[p, :];
 * - scatter: C = Aᵀ · B (A read transposed in place, as for xᵀ · dH) — for each row i of
 *            A and B, B[i, :] is held in registers and each non-zero a = A[i, p] adds
 *            a·B[i, :] to row p of C.
 * Skipping a zero is exact only for finite B (0 · ∞ is NaN): each kernel first sums
 * B[q] · 0 over all of B in f32x4 lanes, and with an infinity or a NaN in B skips nothing.
 * Both sum over the shared index in increasing order; lanes past N's last multiple of 4
 * are done one float at a time, so nothing is read or written outside the arrays.
 * Accumulating in f32 rounds more often than the TypeScript kernels' f64 accumulators:
 * the tests compare with the interpreter at float32 tolerance.
 */
import { add, get, i32, set, type Instr, type WasmFunction } from "./wasm.js";

export interface SimdMatmul {
  readonly name: string;
  readonly kind: "rows" | "scatter";
  /** the shared (inner) size and C's column count, known at compile time */
  readonly K: number;
  readonly N: number;
  readonly doc: string;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * `visit` for each q where a = A[i, q] of row `rowA` is not 0 (or B is not finite), q
 * increasing: four elements at a time compared with 0 in f32x4 lanes, their bitmask's set
 * bits visited lowest first (an all-zero group — most of MNIST's — costs one compare); the
 * last K mod 4 one at a time. NaN is not 0, so it is visited; −0 is 0.
 */
function eachNonZero(K: number, visit: readonly Instr[]): Instr[] {
  const groups = K - (K % 4);
  const element = (q: string): Instr => ["f32.load", add(get("$rowA"), ["i32.shl", get(q), i32(2)])];
  return [
    set("$p", i32(0)),
    ["block", "$groups_done", ["loop", "$groups",
      ["br_if", "$groups_done", ["i32.ge_u", get("$p"), i32(groups)]],
      set("$mask", ["i32.or", ["i32x4.bitmask", ["f32x4.ne", ["v128.load", add(get("$rowA"), ["i32.shl", get("$p"), i32(2)])], ["v128.const", "i32x4 0 0 0 0"]]], ["i32.mul", get("$dense"), i32(15)]]),
      ["block", "$lanes", ["loop", "$lane",
        ["br_if", "$lanes", ["i32.eqz", get("$mask")]],
        set("$q", add(get("$p"), ["i32.ctz", get("$mask")])),
        set("$mask", ["i32.and", get("$mask"), ["i32.sub", get("$mask"), i32(1)]]),
        set("$a", element("$q")),
        ...visit,
        ["br", "$lane"]]],
      set("$p", add(get("$p"), i32(4))),
      ["br", "$groups"]]],
    ["block", "$tail_done", ["loop", "$tail",
      ["br_if", "$tail_done", ["i32.ge_u", get("$p"), i32(K)]],
      set("$q", get("$p")),
      set("$a", element("$q")),
      ["if", ["i32.or", ["f32.ne", get("$a"), ["f32.const", 0]], get("$dense")], ["then", ...visit]],
      set("$p", add(get("$p"), i32(1))),
      ["br", "$tail"]]],
  ];
}

/** `for (i = 0; i < m; i++) body`. */
function rowsLoop(body: readonly Instr[]): Instr {
  return ["block", "$done", ["loop", "$i_loop",
    ["br_if", "$done", ["i32.ge_u", get("$i"), get("$m")]],
    ...body,
    set("$i", add(get("$i"), i32(1))),
    ["br", "$i_loop"]]];
}

/**
 * $dense = 1 when B (count floats from $B) holds an infinity or a NaN: B[q] · 0 summed in
 * f32x4 lanes (and one float at a time past the last multiple of 4) is 0 only for finite B.
 */
function finiteCheck(count: Instr): Instr[] {
  const zero: Instr = ["v128.const", "i32x4 0 0 0 0"];
  const at = add(get("$B"), ["i32.shl", get("$p"), i32(2)]);
  return [
    set("$av", zero),
    set("$a", ["f32.const", 0]),
    set("$p", i32(0)),
    ["block", "$vectors", ["loop", "$vector",
      ["br_if", "$vectors", ["i32.gt_u", add(get("$p"), i32(4)), count]],
      set("$av", ["f32x4.add", get("$av"), ["f32x4.mul", ["v128.load", at], zero]]),
      set("$p", add(get("$p"), i32(4))),
      ["br", "$vector"]]],
    ["block", "$floats", ["loop", "$float",
      ["br_if", "$floats", ["i32.ge_u", get("$p"), count]],
      set("$a", ["f32.add", get("$a"), ["f32.mul", ["f32.load", at], ["f32.const", 0]]]),
      set("$p", add(get("$p"), i32(1))),
      ["br", "$float"]]],
    set("$dense", ["i32.or", ["v128.any_true", ["f32x4.ne", get("$av"), zero]], ["f32.ne", get("$a"), ["f32.const", 0]]]),
  ];
}

/** The globals a module of these kernels imports: `$list`, the byte offset of its instance's list of non-zeros. */
export const SIMD_GLOBALS = ["$list"] as const;

/** Bytes a kernel's list of non-zeros takes at its instance's $list (rows kernels keep one row's). */
export const listBytes = (k: Omit<SimdMatmul, "name">): number => (k.kind === "rows" ? 8 * k.K : 0);

/** Before the rows: the finiteness check of B (K × N for rows, m × N for scatter), and scatter's zeroed C. */
function prologue(k: SimdMatmul): Instr[] {
  const scatter = k.kind === "scatter";
  return [
    ...finiteCheck(scatter ? ["i32.mul", get("$m"), i32(k.N)] : i32(k.K * k.N)),
    ...(scatter ? [["memory.fill", get("$C"), i32(0), i32(k.K * k.N * 4)] as Instr] : []),
  ];
}

export function simdMatmul(k: SimdMatmul): WasmFunction {
  const vecs = Math.floor(k.N / 4);
  const tail = k.N % 4;
  const V = range(vecs).map((j) => `$c${j}`);
  const T = range(tail).map((j) => `$t${j}`);
  const vOff = (j: number) => ({ offset: 16 * j });
  const tOff = (j: number) => ({ offset: 16 * vecs + 4 * j });
  const rowA = set("$rowA", add(get("$A"), ["i32.mul", get("$i"), i32(k.K * 4)]));
  let body: Instr[];
  if (k.kind === "rows") {
    // first the row's non-zeros as a list (values at $list — each instance's own, so threads sharing a memory
    // never meet there — B's row offsets at $list + 4K); then the multiply-adds over the list
    const shl = (n: string): Instr => ["i32.shl", get(n), i32(2)];
    const at = (n: string): Instr => add(["global.get", "$list"], shl(n));
    body = [
      rowA,
      set("$n", i32(0)),
      ...eachNonZero(k.K, [
        ["f32.store", at("$n"), get("$a")],
        ["i32.store", { offset: 4 * k.K }, at("$n"), ["i32.mul", get("$q"), i32(k.N * 4)]],
        set("$n", add(get("$n"), i32(1))),
      ]),
      ...V.map((c) => set(c, ["v128.const", "i32x4 0 0 0 0"])),
      ...T.map((t) => set(t, ["f32.const", 0])),
      set("$p", i32(0)),
      ["block", "$empty", ["br_if", "$empty", ["i32.eqz", get("$n")]], ["loop", "$list",
        set("$a", ["f32.load", at("$p")]),
        set("$row", add(get("$B"), ["i32.load", { offset: 4 * k.K }, at("$p")])),
        set("$av", ["f32x4.splat", get("$a")]),
        ...V.map((c, j): Instr => set(c, ["f32x4.add", get(c), ["f32x4.mul", get("$av"), ["v128.load", vOff(j), get("$row")]]])),
        ...T.map((t, j): Instr => set(t, ["f32.add", get(t), ["f32.mul", get("$a"), ["f32.load", tOff(j), get("$row")]]])),
        ["br_if", "$list", ["i32.lt_u", ["local.tee", "$p", add(get("$p"), i32(1))], get("$n")]]]],
      set("$row", add(get("$C"), ["i32.mul", get("$i"), i32(k.N * 4)])),
      ...V.map((c, j): Instr => ["v128.store", vOff(j), get("$row"), get(c)]),
      ...T.map((t, j): Instr => ["f32.store", tOff(j), get("$row"), get(t)]),
    ];
  } else {
    body = [
      set("$row", add(get("$B"), ["i32.mul", get("$i"), i32(k.N * 4)])),
      ...V.map((c, j) => set(c, ["v128.load", vOff(j), get("$row")])),
      ...T.map((t, j) => set(t, ["f32.load", tOff(j), get("$row")])),
      rowA,
      ...eachNonZero(k.K, [
        set("$row", add(get("$C"), ["i32.mul", get("$q"), i32(k.N * 4)])),
        set("$av", ["f32x4.splat", get("$a")]),
        ...V.map((c, j): Instr => ["v128.store", vOff(j), get("$row"), ["f32x4.add", ["v128.load", vOff(j), get("$row")], ["f32x4.mul", get("$av"), get(c)]]]),
        ...T.map((t, j): Instr => ["f32.store", tOff(j), get("$row"), ["f32.add", ["f32.load", tOff(j), get("$row")], ["f32.mul", get("$a"), get(t)]]]),
      ]),
    ];
  }
  return {
    name: k.name,
    doc: k.doc,
    params: [["$A", "i32"], ["$B", "i32"], ["$C", "i32"], ["$m", "i32"]],
    locals: [["$i", "i32"], ["$p", "i32"], ["$n", "i32"], ["$rowA", "i32"], ["$row", "i32"], ["$dense", "i32"], ["$q", "i32"], ["$mask", "i32"], ["$a", "f32"], ["$av", "v128"], ...V.map((c) => [c, "v128"] as const), ...T.map((t) => [t, "f32"] as const)],
    body: [...prologue(k), rowsLoop(body)],
  };
}
