/**
 * The optimizer's update of float32 params in WebAssembly, for a team's threads: each call
 * updates n elements of one param from every thread's gradient, weighted and summed in
 * thread order — the same float64 arithmetic as parallel.ts's loops (values read from
 * float32, rounded back to float32 where the loops store), so the bits are the same as
 * theirs. A thread's table holds, per thread j, where its gradient of the param starts
 * (i32 at 16j) and its weight (f64 at 16j + 8); its scalars (SCALARS bytes) the rates as
 * float64: lr, Adam's lrT (set each step), 1 − β1, 1 − β2. Every argument is an int32 (a
 * float argument is boxed when the call is not inlined: 16 bytes a call, per param, per
 * iteration, once two teams' kernels shared a call site).
 *
 * Four elements at a time in f64x2 lanes (IEEE arithmetic lane by lane: the same bits as one
 * element at a time), over four streams of the range at once: the other threads' gradients
 * were just written by other cores, and a core that asks for one stream's cache lines at a
 * time waits for each (1 stream: ~95 µs for 160 KB written by the other core; 4 streams:
 * 15–30 µs). The last n mod 16 elements one at a time.
 */
/// <reference path="../webassembly.d.ts" />
import { add, get, i32, set, wasmBinary, type Instr, type WasmFunction } from "../codegen/wasm.js";

/** bytes of one thread's entry in a table */
export const ENTRY = 16;
/** bytes of a thread's scalars: lr, lrT, c1, c2 (float64) */
export const SCALARS = 32;
const SCALAR_AT: Record<string, number> = { $lr: 0, $lrT: 8, $c1: 16, $c2: 24 };

/** streams of the range updated at once, each four elements a step */
const STREAMS = 4;
const LANES = 4;

/** An element's (or four elements') address: base + 4·($i + stream offset). */
const at = (base: string, extra?: Instr): Instr => add(get(base), ["i32.shl", extra ? add(get("$i"), extra) : get("$i"), i32(2)]);

/** The float64 arithmetic of one optimizer, over scalars (f64) or f64x2 lanes: the one description both loops are built from. */
interface Arith {
  readonly add: (a: Instr, b: Instr) => Instr;
  readonly sub: (a: Instr, b: Instr) => Instr;
  readonly mul: (a: Instr, b: Instr) => Instr;
  readonly div: (a: Instr, b: Instr) => Instr;
  readonly sqrt: (a: Instr) => Instr;
  readonly constant: (v: number) => Instr;
  readonly scalar: (name: string) => Instr;
  /** the value stored at base (a param, a state, after any write above it) */
  readonly read: (base: string) => Instr;
  /** g: the weighted sum of the threads' gradients */
  readonly g: Instr;
  readonly write: (base: string, v: Instr) => Instr[];
}

type Rule = (a: Arith) => Instr[];

/** p −= lr · g */
const sgdRule: Rule = (a) => a.write("$p", a.sub(a.read("$p"), a.mul(a.scalar("$lr"), a.g)));

/** v = 0.9 v − lr · g; p += v (the v stored, rounded to float32) */
const momentumRule: Rule = (a) => [
  ...a.write("$v", a.sub(a.mul(a.constant(0.9), a.read("$v")), a.mul(a.scalar("$lr"), a.g))),
  ...a.write("$p", a.add(a.read("$p"), a.read("$v"))),
];

/** m += c1 (g − m); v += c2 (g² − v); p −= lrT · m / (√v + 1e-7) */
const adamRule: Rule = (a) => [
  ...a.write("$m", a.add(a.read("$m"), a.mul(a.scalar("$c1"), a.sub(a.g, a.read("$m"))))),
  ...a.write("$v", a.add(a.read("$v"), a.mul(a.scalar("$c2"), a.sub(a.mul(a.g, a.g), a.read("$v"))))),
  ...a.write("$p", a.sub(a.read("$p"), a.div(a.mul(a.scalar("$lrT"), a.read("$m")), a.add(a.sqrt(a.read("$v")), a.constant(1e-7))))),
];

/** Thread j's gradient base ($G{j}, this param's, from the table) and weight ($w{j}), read once per call. */
function gradients(threads: number): Instr[] {
  return Array.from({ length: threads }, (_, j): Instr[] => [
    set(`$G${j}`, ["i32.load", { offset: ENTRY * j }, get("$table")]),
    set(`$w${j}`, ["f64.load", { offset: ENTRY * j + 8 }, get("$table")]),
  ]).flat();
}

/** Σⱼ wⱼ · Gⱼ[i], j = 0 first (0 + x would turn −0 into +0), then in order. */
function weighted(threads: number, a: Arith): Instr {
  let g = a.mul(a.scalar("$w0"), a.read("$G0"));
  for (let j = 1; j < threads; j++) g = a.add(g, a.mul(a.scalar(`$w${j}`), a.read(`$G${j}`)));
  return g;
}

/** One element at a time (the last n mod 16). */
const scalarArith: Arith = {
  add: (a, b) => ["f64.add", a, b],
  sub: (a, b) => ["f64.sub", a, b],
  mul: (a, b) => ["f64.mul", a, b],
  div: (a, b) => ["f64.div", a, b],
  sqrt: (a) => ["f64.sqrt", a],
  constant: (v) => ["f64.const", v],
  scalar: (name) => get(name),
  read: (base) => ["f64.promote_f32", ["f32.load", at(base)]],
  g: get("$g"),
  write: (base, v) => [["f32.store", at(base), ["f32.demote_f64", v]]],
};

/** A write of the vector loop before its halves are joined: [base, value]. */
const WRITE = "write";

/** Elements [$i + s·$q, … + 4) of stream s, as two f64x2 halves h = 0 (lanes 0, 1) and 1 (lanes 2, 3). */
function laneArith(s: number, h: number): Arith {
  const stream = (base: string): Instr => at(base, ["i32.mul", get("$q"), i32(s)]);
  // lanes 2 and 3 moved to the front, for promote_low
  const high = (v: Instr): Instr => ["i8x16.shuffle", 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, v, v];
  return {
    add: (a, b) => ["f64x2.add", a, b],
    sub: (a, b) => ["f64x2.sub", a, b],
    mul: (a, b) => ["f64x2.mul", a, b],
    div: (a, b) => ["f64x2.div", a, b],
    sqrt: (a) => ["f64x2.sqrt", a],
    constant: (v) => ["f64x2.splat", ["f64.const", v]],
    scalar: (name) => ["f64x2.splat", get(name)],
    read: (base) => ["f64x2.promote_low_f32x4", h === 0 ? ["v128.load", stream(base)] : high(["v128.load", stream(base)])],
    g: get(`$g${s}_${h}`),
    write: (base, v) => [[WRITE, base, v]],
  };
}

/**
 * The vector loop's body: for each stream, g for both halves, then the rule's writes in
 * order, each one's halves demoted to f32 and stored as one f32x4 (a read after a write
 * loads what was stored, as the scalar loop does).
 */
function vectorBody(rule: Rule, threads: number): Instr[] {
  const out: Instr[] = [];
  for (let s = 0; s < STREAMS; s++) {
    const [lo, hi] = [laneArith(s, 0), laneArith(s, 1)];
    out.push(set(`$g${s}_0`, weighted(threads, lo)), set(`$g${s}_1`, weighted(threads, hi)));
    const halves = [rule(lo), rule(hi)] as const;
    halves[0].forEach((w, k) => {
      const [, base, vLo] = w as [string, string, Instr];
      const vHi = (halves[1][k] as [string, string, Instr])[2];
      const joined: Instr = ["i8x16.shuffle", 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, ["f32x4.demote_f64x2_zero", vLo], ["f32x4.demote_f64x2_zero", vHi]];
      out.push(["v128.store", at(base, ["i32.mul", get("$q"), i32(s)]), joined]);
    });
  }
  return out;
}

function kernel(name: string, state: string[], scalars: string[], threads: number, rule: Rule): WasmFunction {
  const vectorLocals = Array.from({ length: STREAMS }, (_, s) => [[`$g${s}_0`, "v128"], [`$g${s}_1`, "v128"]] as const).flat();
  return {
    name,
    params: [["$p", "i32"], ...state.map((s) => [s, "i32"] as const), ["$n", "i32"], ["$table", "i32"], ["$scalars", "i32"]],
    locals: [["$i", "i32"], ["$q", "i32"], ["$g", "f64"], ...scalars.map((s) => [s, "f64"] as const), ...Array.from({ length: threads }, (_, j) => [[`$G${j}`, "i32"], [`$w${j}`, "f64"]] as const).flat(), ...vectorLocals],
    body: [
      ...scalars.map((s) => set(s, ["f64.load", { offset: SCALAR_AT[s]! }, get("$scalars")])),
      ...gradients(threads),
      // $q: each stream's length, a multiple of 4; the streams cover [0, 4·$q)
      set("$q", ["i32.shl", ["i32.shr_u", get("$n"), i32(4)], i32(2)]),
      ["block", "$vectors", ["loop", "$vector",
        ["br_if", "$vectors", ["i32.ge_u", get("$i"), get("$q")]],
        ...vectorBody(rule, threads),
        set("$i", add(get("$i"), i32(LANES))),
        ["br", "$vector"]]],
      set("$i", ["i32.mul", get("$q"), i32(STREAMS)]),
      ["block", "$done", ["loop", "$elements",
        ["br_if", "$done", ["i32.ge_u", get("$i"), get("$n")]],
        set("$g", weighted(threads, scalarArith)),
        ...rule(scalarArith),
        set("$i", add(get("$i"), i32(1))),
        ["br", "$elements"]]],
    ],
  };
}

/** Byte offsets and counts only: the rates are read from the scalars. */
export interface UpdateKernels {
  sgd(p: number, n: number, table: number, scalars: number): void;
  momentum(p: number, v: number, n: number, table: number, scalars: number): void;
  adam(p: number, m: number, v: number, n: number, table: number, scalars: number): void;
}

/** The three kernels for a team of `threads` (exported for the writer's tests). */
export function updateFunctions(threads: number): WasmFunction[] {
  return [
    kernel("sgd", [], ["$lr"], threads, sgdRule),
    kernel("momentum", ["$v"], ["$lr"], threads, momentumRule),
    kernel("adam", ["$m", "$v"], ["$lrT", "$c1", "$c2"], threads, adamRule),
  ];
}

const compiled = new Map<number, WebAssembly.Module>();

/** The kernels for a team of `threads` over its shared memory. */
export function updateKernels(threads: number, memory: WebAssembly.Memory): UpdateKernels {
  let m = compiled.get(threads);
  if (!m) compiled.set(threads, (m = new WebAssembly.Module(wasmBinary(updateFunctions(threads), { shared: true }))));
  return new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as UpdateKernels;
}
