/**
 * The optimizer's update of float32 params in WebAssembly, for a team's threads: each call
 * updates n elements of one param from every thread's gradient, weighted and summed in
 * thread order — the same float64 arithmetic as parallel.ts's loops (values read from
 * float32, rounded back to float32 where the loops store), so the bits are the same as
 * theirs, about 4× sooner. A thread's table holds, per thread j, where its gradient of the
 * param starts (i32 at 16j) and its weight (f64 at 16j + 8).
 */
/// <reference path="../webassembly.d.ts" />
import { add, get, i32, set, wasmBinary, type Instr, type WasmFunction } from "../codegen/wasm.js";

/** bytes of one thread's entry in a table */
export const ENTRY = 16;

const f64 = (v: number): Instr => ["f64.const", v];
const at = (base: string): Instr => add(get(base), ["i32.shl", get("$i"), i32(2)]);
const read = (base: string): Instr => ["f64.promote_f32", ["f32.load", at(base)]];
const write = (base: string, v: Instr): Instr => ["f32.store", at(base), ["f32.demote_f64", v]];

/** $g = Σⱼ wⱼ · Gⱼ[i], j = 0 first (0 + x would turn −0 into +0), then in order. */
function gradient(threads: number): Instr[] {
  const term = (entry: Instr): Instr => ["f64.mul", ["f64.load", { offset: 8 }, entry], ["f64.promote_f32", ["f32.load", add(["i32.load", entry], ["i32.shl", get("$i"), i32(2)])]]];
  const out: Instr[] = [set("$g", term(get("$table")))];
  for (let j = 1; j < threads; j++) out.push(set("$g", ["f64.add", get("$g"), term(add(get("$table"), i32(ENTRY * j)))]));
  return out;
}

function kernel(name: string, state: string[], scalars: string[], threads: number, body: Instr[]): WasmFunction {
  return {
    name,
    params: [["$p", "i32"], ...state.map((s) => [s, "i32"] as const), ["$n", "i32"], ...scalars.map((s) => [s, "f64"] as const), ["$table", "i32"]],
    locals: [["$i", "i32"], ["$g", "f64"]],
    body: [["block", "$done", ["loop", "$elements",
      ["br_if", "$done", ["i32.ge_u", get("$i"), get("$n")]],
      ...gradient(threads),
      ...body,
      set("$i", add(get("$i"), i32(1))),
      ["br", "$elements"]]]],
  };
}

/** p −= lr · g */
const sgd = (t: number) => kernel("sgd", [], ["$lr"], t, [write("$p", ["f64.sub", read("$p"), ["f64.mul", get("$lr"), get("$g")]])]);

/** v = 0.9 v − lr · g; p += v (the v stored, rounded to float32) */
const momentum = (t: number) => kernel("momentum", ["$v"], ["$lr"], t, [
  write("$v", ["f64.sub", ["f64.mul", f64(0.9), read("$v")], ["f64.mul", get("$lr"), get("$g")]]),
  write("$p", ["f64.add", read("$p"), read("$v")]),
]);

/** m += c1 (g − m); v += c2 (g² − v); p −= lrT · m / (√v + 1e-7) */
const adam = (t: number) => kernel("adam", ["$m", "$v"], ["$lrT", "$c1", "$c2"], t, [
  write("$m", ["f64.add", read("$m"), ["f64.mul", get("$c1"), ["f64.sub", get("$g"), read("$m")]]]),
  write("$v", ["f64.add", read("$v"), ["f64.mul", get("$c2"), ["f64.sub", ["f64.mul", get("$g"), get("$g")], read("$v")]]]),
  write("$p", ["f64.sub", read("$p"), ["f64.div", ["f64.mul", get("$lrT"), read("$m")], ["f64.add", ["f64.sqrt", read("$v")], f64(1e-7)]]]),
]);

export interface UpdateKernels {
  sgd(p: number, n: number, lr: number, table: number): void;
  momentum(p: number, v: number, n: number, lr: number, table: number): void;
  adam(p: number, m: number, v: number, n: number, lrT: number, c1: number, c2: number, table: number): void;
}

const compiled = new Map<number, WebAssembly.Module>();

/** The kernels for a team of `threads` over its shared memory. */
export function updateKernels(threads: number, memory: WebAssembly.Memory): UpdateKernels {
  let m = compiled.get(threads);
  if (!m) compiled.set(threads, (m = new WebAssembly.Module(wasmBinary([sgd(threads), momentum(threads), adam(threads)], { shared: true }))));
  return new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as UpdateKernels;
}
