/**
 * Matmul kernels in WebAssembly SIMD, for `--simd` modules: C = A · B in f32x4 lanes
 * with A's zeros skipped (MNIST pixels are 81% zeros), for f32 operands whose inner and
 * column sizes are known at compile time. Each row of A is first listed — the column
 * indices of its non-zeros, found four at a time with no branch (listRow) — and the
 * multiply-adds then run over the list. Two shapes of loop:
 * - rows:    C = A · B — for each row i of C, the row kept in ⌈N/4⌉ vector registers
 *            while each listed q of row i of A adds A[i, q]·B[q, :];
 * - scatter: C = Aᵀ · B (A read transposed in place, as for xᵀ · dH) — for each row i of
 *            A and B, B[i, :] is held in registers and each listed q adds
 *            A[i, q]·B[i, :] to row q of C.
 * Skipping a zero is exact only for finite B (0 · ∞ is NaN): each kernel first sums
 * B[q] · 0 over all of B in f32x4 lanes, and with an infinity or a NaN in B skips nothing.
 * Both sum over the shared index in increasing order; lanes past N's last multiple of 4
 * are done one float at a time, so nothing is read or written outside the arrays.
 * Accumulating in f32 rounds more often than the TypeScript kernels' f64 accumulators:
 * the tests compare with the interpreter at float32 tolerance.
 */
import { add, get, i32, i32x4, set, type Instr, type WasmFunction } from "./wasm.js";

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
 * The swizzle table of the lists of non-zeros: entry m (16 bytes) moves the lanes whose bits
 * are set in the 4-bit mask m to the front, lowest first, and zeroes the rest — so one
 * i8x16.swizzle and one store append a group's column indices to a list, with no branch.
 */
export const SWIZZLE_TABLE: readonly (readonly number[])[] = range(16).map((m) => {
  const lanes = range(4).filter((l) => (m >> l) & 1);
  return range(4).map((j) => {
    const l = lanes[j];
    // bytes 4l … 4l + 3 of the source, little-endian; 0x80 in every byte zeroes an unused lane
    return l === undefined ? 0x80808080 | 0 : (4 * l) | ((4 * l + 1) << 8) | ((4 * l + 2) << 16) | ((4 * l + 3) << 24);
  });
});

/** bytes of the swizzle table at the start of an instance's $list */
const TABLE_BYTES = 256;

/** Writes the swizzle table at $list (sixteen stores: cheaper than any check that it is there). */
function writeTable(): Instr[] {
  return SWIZZLE_TABLE.map((lanes, m): Instr => ["v128.store", { offset: 16 * m }, ["global.get", "$list"], ["v128.const", i32x4(lanes)]]);
}

/**
 * The column indices q of row $rowA where A[i, q] is not 0 (or every q, when B is not finite),
 * increasing, into the list after the table; $n their count. Four elements at a time, with no
 * branch: compared with 0 in f32x4 lanes, the bitmask picks a table entry that packs the set
 * lanes' indices to the front, all four are stored and $n grows by the bitmask's popcount (a
 * branch per non-zero mispredicted on every new batch: half of a matmul's time on MNIST). The
 * last K mod 4 one at a time. NaN is not 0, so it is listed; −0 is 0.
 */
function listRow(K: number): Instr[] {
  const groups = K - (K % 4);
  const entry = (n: Instr): Instr => add(["global.get", "$list"], ["i32.shl", n, i32(2)]);
  return [
    set("$n", i32(0)),
    set("$p", i32(0)),
    set("$qv", ["v128.const", i32x4([0, 1, 2, 3])]),
    ["block", "$groups_done", ["loop", "$groups",
      ["br_if", "$groups_done", ["i32.ge_u", get("$p"), i32(groups)]],
      set("$mask", ["i32.or", ["i32x4.bitmask", ["f32x4.ne", ["v128.load", add(get("$rowA"), ["i32.shl", get("$p"), i32(2)])], ["v128.const", i32x4([0, 0, 0, 0])]]], ["i32.mul", get("$dense"), i32(15)]]),
      ["v128.store", { offset: TABLE_BYTES }, entry(get("$n")), ["i8x16.swizzle", get("$qv"), ["v128.load", add(["global.get", "$list"], ["i32.shl", get("$mask"), i32(4)])]]],
      set("$n", add(get("$n"), ["i32.popcnt", get("$mask")])),
      set("$qv", ["i32x4.add", get("$qv"), ["v128.const", i32x4([4, 4, 4, 4])]]),
      set("$p", add(get("$p"), i32(4))),
      ["br", "$groups"]]],
    ["block", "$tail_done", ["loop", "$tail",
      ["br_if", "$tail_done", ["i32.ge_u", get("$p"), i32(K)]],
      ["if", ["i32.or", ["f32.ne", ["f32.load", add(get("$rowA"), ["i32.shl", get("$p"), i32(2)])], ["f32.const", 0]], get("$dense")], ["then",
        ["i32.store", { offset: TABLE_BYTES }, entry(get("$n")), get("$p")],
        set("$n", add(get("$n"), i32(1)))]],
      set("$p", add(get("$p"), i32(1))),
      ["br", "$tail"]]],
  ];
}

/** `visit` for each entry of the row's list: $q its column, $a = A[i, q]. */
function eachListed(visit: readonly Instr[]): Instr {
  return ["block", "$empty", ["br_if", "$empty", ["i32.eqz", get("$n")]], set("$p", i32(0)), ["loop", "$list",
    set("$q", ["i32.load", { offset: TABLE_BYTES }, add(["global.get", "$list"], ["i32.shl", get("$p"), i32(2)])]),
    set("$a", ["f32.load", add(get("$rowA"), ["i32.shl", get("$q"), i32(2)])]),
    ...visit,
    ["br_if", "$list", ["i32.lt_u", ["local.tee", "$p", add(get("$p"), i32(1))], get("$n")]]]];
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
 * Four sums, sixteen floats a step, so no add waits for the one before it (the check reads
 * all of W1 on every call: one chain of adds made it a fifth of the matmul's time); each
 * term is ±0 or NaN, so how they are grouped changes nothing.
 */
function finiteCheck(count: Instr): Instr[] {
  const zero: Instr = ["v128.const", i32x4([0, 0, 0, 0])];
  const at = add(get("$B"), ["i32.shl", get("$p"), i32(2)]);
  const sums = ["$av", "$s1", "$s2", "$s3"];
  const term = (j: number): Instr => ["f32x4.mul", ["v128.load", { offset: 16 * j }, at], zero];
  return [
    ...sums.map((v) => set(v, zero)),
    set("$a", ["f32.const", 0]),
    set("$p", i32(0)),
    ["block", "$blocks", ["loop", "$block",
      ["br_if", "$blocks", ["i32.gt_u", add(get("$p"), i32(16)), count]],
      ...sums.map((v, j) => set(v, ["f32x4.add", get(v), term(j)])),
      set("$p", add(get("$p"), i32(16))),
      ["br", "$block"]]],
    ["block", "$vectors", ["loop", "$vector",
      ["br_if", "$vectors", ["i32.gt_u", add(get("$p"), i32(4)), count]],
      set("$av", ["f32x4.add", get("$av"), term(0)]),
      set("$p", add(get("$p"), i32(4))),
      ["br", "$vector"]]],
    ["block", "$floats", ["loop", "$float",
      ["br_if", "$floats", ["i32.ge_u", get("$p"), count]],
      set("$a", ["f32.add", get("$a"), ["f32.mul", ["f32.load", at], ["f32.const", 0]]]),
      set("$p", add(get("$p"), i32(1))),
      ["br", "$float"]]],
    set("$av", ["f32x4.add", ["f32x4.add", get("$av"), get("$s1")], ["f32x4.add", get("$s2"), get("$s3")]]),
    set("$dense", ["i32.or", ["v128.any_true", ["f32x4.ne", get("$av"), zero]], ["f32.ne", get("$a"), ["f32.const", 0]]]),
  ];
}

/** The globals a module of these kernels imports: `$list`, the byte offset of its instance's list of non-zeros. */
export const SIMD_GLOBALS = ["$list"] as const;

/** Bytes a kernel's scratch takes at its instance's $list: the swizzle table, then one row's list of column indices (whole groups of four are stored). */
export const listBytes = (k: Omit<SimdMatmul, "name">): number => TABLE_BYTES + 4 * (k.K + 4);

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
    // the row's non-zeros listed first, then the multiply-adds over the list, the row of C in registers
    body = [
      rowA,
      ...listRow(k.K),
      ...V.map((c) => set(c, ["v128.const", i32x4([0, 0, 0, 0])])),
      ...T.map((t) => set(t, ["f32.const", 0])),
      eachListed([
        set("$row", add(get("$B"), ["i32.mul", get("$q"), i32(k.N * 4)])),
        set("$av", ["f32x4.splat", get("$a")]),
        ...V.map((c, j): Instr => set(c, ["f32x4.add", get(c), ["f32x4.mul", get("$av"), ["v128.load", vOff(j), get("$row")]]])),
        ...T.map((t, j): Instr => set(t, ["f32.add", get(t), ["f32.mul", get("$a"), ["f32.load", tOff(j), get("$row")]]])),
      ]),
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
      ...listRow(k.K),
      eachListed([
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
    locals: [["$i", "i32"], ["$p", "i32"], ["$n", "i32"], ["$rowA", "i32"], ["$row", "i32"], ["$dense", "i32"], ["$q", "i32"], ["$mask", "i32"], ["$a", "f32"], ["$av", "v128"], ["$qv", "v128"], ["$s1", "v128"], ["$s2", "v128"], ["$s3", "v128"], ...V.map((c) => [c, "v128"] as const), ...T.map((t) => [t, "f32"] as const)],
    body: [...writeTable(), ...prologue(k), rowsLoop(body)],
  };
}
