/**
 * Matmul kernels in WebAssembly SIMD, for `--simd` modules: C = A · B in f32x4 lanes
 * with A's zeros skipped (MNIST pixels are 81% zeros), for f32 operands whose inner and
 * column sizes are known at compile time. The non-zeros of A are listed once per step —
 * for each row of the stored A, the column indices of its non-zeros, found four at a time
 * with no branch (`nonzeros`, run where A is made: by the kernel that computes it, or at
 * the start of a step for an input) — and every matmul reading A runs over that list:
 * - rows:    C = A · B — for each row i of C, the row kept in ⌈N/4⌉ vector registers
 *            while each listed q of row i of A adds A[i, q]·B[q, :];
 * - scatter: C = Aᵀ · B (A read transposed in place, as for xᵀ · dH) — the list turned by
 *            columns (a counting sort), then for each column q of A, row q of C kept in
 *            registers while each listed row i adds A[i, q]·B[i, :], and stored once.
 * Skipping a zero is exact only for finite B (0 · ∞ is NaN): each kernel first sums
 * B[q] · 0 over all of B in f32x4 lanes, and with an infinity or a NaN in B runs a dense
 * loop over every q instead of the list. Both sum over the shared index in increasing
 * order (adding a ±0 product to a sum changes nothing, so skipping zeros is exact); lanes
 * past N's last multiple of 4 are done one float at a time, so nothing is read or written
 * outside the arrays. Accumulating in f32 rounds more often than the TypeScript kernels'
 * f64 accumulators: the tests compare with the interpreter at float32 tolerance.
 */
import * as KI from "../kernel/ir.js";
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
const shl2 = (x: Instr): Instr => ["i32.shl", x, i32(2)];
const zero: Instr = ["v128.const", i32x4([0, 0, 0, 0])];

/** `for (v = from; v < to; v++) body`, labelled by v. */
function loop(v: string, to: Instr, body: readonly Instr[], from: Instr = i32(0)): Instr[] {
  return [set(v, from), ["block", `${v}_done`, ["loop", `${v}_loop`,
    ["br_if", `${v}_done`, ["i32.ge_u", get(v), to]],
    ...body,
    set(v, add(get(v), i32(1))),
    ["br", `${v}_loop`]]]];
}

/**
 * A list of the non-zeros of A [m, K], in a workspace's Int32Array:
 * - starts: m + 1 ints (row i's entries are [starts[i], starts[i + 1]));
 * - columns: m·K + 4 ints (groups of four are stored whole);
 * - for the scatter kernels, the list by columns: column starts and cursors (K + 1 each), rows (m·K).
 */
export const listInts = (m: KI.Expr, K: number): KI.Expr => KI.add(KI.add(KI.mul(m, KI.num(2 * K)), m), KI.num(2 * K + 7));
/** where the columns begin ($Lq), the column starts ($S), cursors ($W) and rows ($R) of the list at $L */
const columnsAt = (): Instr => add(get("$L"), shl2(add(get("$m"), i32(1))));
const byColumnsAt = (K: number): Instr => add(get("$Lq"), shl2(add(["i32.mul", get("$m"), i32(K)], i32(4))));

/**
 * The swizzle table of the lists: entry m (16 bytes) moves the lanes whose bits are set in
 * the 4-bit mask m to the front, lowest first, and zeroes the rest — so one i8x16.swizzle and
 * one store append a group's column indices to a list, with no branch.
 */
export const SWIZZLE_TABLE: readonly (readonly number[])[] = range(16).map((m) => {
  const lanes = range(4).filter((l) => (m >> l) & 1);
  return range(4).map((j) => {
    const l = lanes[j];
    // bytes 4l … 4l + 3 of the source, little-endian; 0x80 in every byte zeroes an unused lane
    return l === undefined ? 0x80808080 | 0 : (4 * l) | ((4 * l + 1) << 8) | ((4 * l + 2) << 16) | ((4 * l + 3) << 24);
  });
});

/** bytes of the swizzle table, at the instance's $list */
const TABLE_BYTES = 256;

/**
 * nonzeros(A, L, m): the list of A's non-zeros at L (layout above). Each row four elements
 * at a time with no branch: compared with 0 in f32x4 lanes, the bitmask picks a table entry
 * that packs the set lanes' indices to the front, all four are stored and the count grows by
 * the bitmask's popcount (a branch per non-zero mispredicted on every new batch: half of a
 * matmul's time on MNIST). The last K mod 4 one at a time. NaN is not 0, so it is listed;
 * −0 is 0. The table is written first (sixteen stores: cheaper than any check that it is there).
 */
export function nonzerosKernel(name: string, K: number, doc: string): WasmFunction {
  const groups = K - (K % 4);
  const element = (p: Instr): Instr => add(get("$rowA"), shl2(p));
  return {
    name,
    doc,
    params: [["$A", "i32"], ["$L", "i32"], ["$m", "i32"]],
    locals: [["$i", "i32"], ["$p", "i32"], ["$n", "i32"], ["$rowA", "i32"], ["$mask", "i32"], ["$Lq", "i32"], ["$qv", "v128"]],
    body: [
      ...SWIZZLE_TABLE.map((lanes, m): Instr => ["v128.store", { offset: 16 * m }, ["global.get", "$list"], ["v128.const", i32x4(lanes)]]),
      set("$Lq", columnsAt()),
      set("$n", i32(0)),
      ...loop("$i", get("$m"), [
        ["i32.store", add(get("$L"), shl2(get("$i"))), get("$n")],
        set("$rowA", add(get("$A"), ["i32.mul", get("$i"), i32(K * 4)])),
        set("$qv", ["v128.const", i32x4([0, 1, 2, 3])]),
        ["block", "$groups_done", ["loop", "$groups",
          ["br_if", "$groups_done", ["i32.ge_u", get("$p"), i32(groups)]],
          set("$mask", ["i32x4.bitmask", ["f32x4.ne", ["v128.load", element(get("$p"))], zero]]),
          ["v128.store", add(get("$Lq"), shl2(get("$n"))), ["i8x16.swizzle", get("$qv"), ["v128.load", add(["global.get", "$list"], ["i32.shl", get("$mask"), i32(4)])]]],
          set("$n", add(get("$n"), ["i32.popcnt", get("$mask")])),
          set("$qv", ["i32x4.add", get("$qv"), ["v128.const", i32x4([4, 4, 4, 4])]]),
          set("$p", add(get("$p"), i32(4))),
          ["br", "$groups"]]],
        ["block", "$tail_done", ["loop", "$tail",
          ["br_if", "$tail_done", ["i32.ge_u", get("$p"), i32(K)]],
          ["if", ["f32.ne", ["f32.load", element(get("$p"))], ["f32.const", 0]], ["then",
            ["i32.store", add(get("$Lq"), shl2(get("$n"))), get("$p")],
            set("$n", add(get("$n"), i32(1)))]],
          set("$p", add(get("$p"), i32(1))),
          ["br", "$tail"]]],
        set("$p", i32(0)),
      ]),
      ["i32.store", add(get("$L"), shl2(get("$m"))), get("$n")],
    ],
  };
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

/** The globals a module of these kernels imports: `$list`, where an instance keeps its swizzle table. */
export const SIMD_GLOBALS = ["$list"] as const;

/** Bytes of an instance's scratch at $list: the swizzle table. */
export const LIST_BYTES = TABLE_BYTES;

/** The registers of a row of C (⌈N/4⌉ f32x4 and N mod 4 f32), and their updates. */
function rowRegisters(N: number) {
  const V = range(Math.floor(N / 4)).map((j) => `$c${j}`);
  const T = range(N % 4).map((j) => `$t${j}`);
  const vOff = (j: number) => ({ offset: 16 * j });
  const tOff = (j: number) => ({ offset: 16 * V.length + 4 * j });
  return {
    locals: [...V.map((c) => [c, "v128"] as const), ...T.map((t) => [t, "f32"] as const)],
    clear: [...V.map((c) => set(c, zero)), ...T.map((t) => set(t, ["f32.const", 0]))],
    load: [...V.map((c, j) => set(c, ["v128.load", vOff(j), get("$row")])), ...T.map((t, j) => set(t, ["f32.load", tOff(j), get("$row")]))],
    /** registers += $a · row */
    addRow: [
      set("$av", ["f32x4.splat", get("$a")]),
      ...V.map((c, j): Instr => set(c, ["f32x4.add", get(c), ["f32x4.mul", get("$av"), ["v128.load", vOff(j), get("$row")]]])),
      ...T.map((t, j): Instr => set(t, ["f32.add", get(t), ["f32.mul", get("$a"), ["f32.load", tOff(j), get("$row")]]])),
    ],
    /** row += $a · registers */
    addToRow: [
      set("$av", ["f32x4.splat", get("$a")]),
      ...V.map((c, j): Instr => ["v128.store", vOff(j), get("$row"), ["f32x4.add", ["v128.load", vOff(j), get("$row")], ["f32x4.mul", get("$av"), get(c)]]]),
      ...T.map((t, j): Instr => ["f32.store", tOff(j), get("$row"), ["f32.add", ["f32.load", tOff(j), get("$row")], ["f32.mul", get("$a"), get(t)]]]),
    ],
    store: [...V.map((c, j): Instr => ["v128.store", vOff(j), get("$row"), get(c)]), ...T.map((t, j): Instr => ["f32.store", tOff(j), get("$row"), get(t)])],
  };
}

/** C = A · B: each row of C in registers, over the row's listed non-zeros — or over every q, with B not finite. */
function rowsBody(k: SimdMatmul): Instr[] {
  const r = rowRegisters(k.N);
  const term = (q: Instr): Instr[] => [set("$a", ["f32.load", add(get("$rowA"), shl2(q))]), set("$row", add(get("$B"), ["i32.mul", get("$q"), i32(k.N * 4)])), ...r.addRow];
  const row = (terms: Instr[]): Instr[] => loop("$i", get("$m"), [
    set("$rowA", add(get("$A"), ["i32.mul", get("$i"), i32(k.K * 4)])),
    ...r.clear,
    ...terms,
    set("$row", add(get("$C"), ["i32.mul", get("$i"), i32(k.N * 4)])),
    ...r.store,
  ]);
  const listed = loop("$p", ["i32.load", { offset: 4 }, add(get("$L"), shl2(get("$i")))], [set("$q", ["i32.load", add(get("$Lq"), shl2(get("$p")))]), ...term(get("$q"))], ["i32.load", add(get("$L"), shl2(get("$i")))]);
  const every = loop("$q", i32(k.K), term(get("$q")));
  return [["if", get("$dense"), ["then", ...row(every)], ["else", ...row(listed)]]];
}

/**
 * C = Aᵀ · B: the list turned by columns (counts, their running sums, then each row's
 * entries placed at its columns' cursors, rows in increasing order), then each row q of C
 * in registers over column q's listed rows, stored once (an empty column stores zeros).
 * With B not finite: C cleared, and every A[i, q]·B[i, :] added to row q of C.
 */
function scatterBody(k: SimdMatmul): Instr[] {
  const r = rowRegisters(k.N);
  const K = k.K;
  const at = (base: string, x: Instr): Instr => add(get(base), shl2(x));
  const byColumns: Instr[] = [
    set("$S", byColumnsAt(K)),
    set("$W", add(get("$S"), i32(4 * (K + 1)))),
    set("$R", add(get("$W"), i32(4 * (K + 1)))),
    ["memory.fill", get("$S"), i32(0), i32(4 * (K + 1))],
    ...loop("$p", ["i32.load", at("$L", get("$m"))], [
      set("$at", at("$S", ["i32.load", at("$Lq", get("$p"))])),
      ["i32.store", { offset: 4 }, get("$at"), add(["i32.load", { offset: 4 }, get("$at")], i32(1))],
    ]),
    ...loop("$q", i32(K), [
      set("$at", at("$S", get("$q"))),
      ["i32.store", { offset: 4 }, get("$at"), add(["i32.load", { offset: 4 }, get("$at")], ["i32.load", get("$at")])],
      ["i32.store", at("$W", get("$q")), ["i32.load", get("$at")]],
    ]),
    ...loop("$i", get("$m"), loop("$p", ["i32.load", { offset: 4 }, at("$L", get("$i"))], [
      set("$at", at("$W", ["i32.load", at("$Lq", get("$p"))])),
      ["i32.store", at("$R", ["i32.load", get("$at")]), get("$i")],
      ["i32.store", get("$at"), add(["i32.load", get("$at")], i32(1))],
    ], ["i32.load", at("$L", get("$i"))])),
    ...loop("$q", i32(K), [
      ...r.clear,
      ...loop("$p", ["i32.load", { offset: 4 }, at("$S", get("$q"))], [
        set("$i", ["i32.load", at("$R", get("$p"))]),
        set("$a", ["f32.load", add(get("$A"), shl2(add(["i32.mul", get("$i"), i32(K)], get("$q"))))]),
        set("$row", add(get("$B"), ["i32.mul", get("$i"), i32(k.N * 4)])),
        ...r.addRow,
      ], ["i32.load", at("$S", get("$q"))]),
      set("$row", add(get("$C"), ["i32.mul", get("$q"), i32(k.N * 4)])),
      ...r.store,
    ]),
  ];
  const dense: Instr[] = [
    ["memory.fill", get("$C"), i32(0), i32(K * k.N * 4)],
    ...loop("$i", get("$m"), [
      set("$row", add(get("$B"), ["i32.mul", get("$i"), i32(k.N * 4)])),
      ...r.load,
      set("$rowA", add(get("$A"), ["i32.mul", get("$i"), i32(K * 4)])),
      ...loop("$q", i32(K), [
        set("$a", ["f32.load", add(get("$rowA"), shl2(get("$q")))]),
        set("$row", add(get("$C"), ["i32.mul", get("$q"), i32(k.N * 4)])),
        ...r.addToRow,
      ]),
    ]),
  ];
  return [["if", get("$dense"), ["then", ...dense], ["else", ...byColumns]]];
}

/** A matmul kernel: (A, B, C, m, L) — byte offsets of A, B, C and of A's list of non-zeros, and m (A's rows). */
export function simdMatmul(k: SimdMatmul): WasmFunction {
  const scatter = k.kind === "scatter";
  return {
    name: k.name,
    doc: k.doc,
    params: [["$A", "i32"], ["$B", "i32"], ["$C", "i32"], ["$m", "i32"], ["$L", "i32"]],
    locals: [
      ["$i", "i32"], ["$p", "i32"], ["$q", "i32"], ["$rowA", "i32"], ["$row", "i32"], ["$dense", "i32"], ["$Lq", "i32"], ["$S", "i32"], ["$W", "i32"], ["$R", "i32"], ["$at", "i32"],
      ["$a", "f32"], ["$av", "v128"], ["$s1", "v128"], ["$s2", "v128"], ["$s3", "v128"], ...rowRegisters(k.N).locals,
    ],
    body: [
      ...finiteCheck(scatter ? ["i32.mul", get("$m"), i32(k.N)] : i32(k.K * k.N)),
      set("$Lq", columnsAt()),
      ...(scatter ? scatterBody(k) : rowsBody(k)),
    ],
  };
}
