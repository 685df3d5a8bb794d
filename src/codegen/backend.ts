/**
 * Back-end planning: which kernels run in WebAssembly. With `--simd`, a matmul of f32
 * arrays whose inner and column sizes are known at compile time (at least 4 columns)
 * becomes a call of a SIMD kernel (codegen/simd.ts); everything else stays TypeScript.
 * The decision is made here, once per kernel, before any kernel is lowered.
 */
import type { Node } from "../graph/ir.js";
import type { DType } from "../tensor/types.js";
import type { Kernel, Mode } from "../optimize/fuse.js";
import type { WasmOperand } from "./kernels.js";

export interface SimdChoice {
  /** rows: C = A · B; scatter: C = Aᵀ · B with A read transposed in place */
  readonly kind: "rows" | "scatter";
  readonly K: number;
  readonly N: number;
  /** A and B as the WebAssembly memory must hold them (a transposed B, as its transposed copy) */
  readonly operands: [WasmOperand, WasmOperand];
  /** the array A is read from: its non-zeros are listed once, where it is made, for every matmul reading it */
  readonly list: Node;
}

export interface BackendEnv {
  readonly modes: ReadonlyMap<number, Mode>;
  home(n: Node): Node;
  readonly dtypeOf: (n: Node) => DType;
}

export function planBackends(kernels: readonly Kernel[], env: BackendEnv, simd: boolean): Map<Kernel, SimdChoice> {
  const out = new Map<Kernel, SimdChoice>();
  if (!simd) return out;
  for (const k of kernels) {
    const choice = k.kind === "matmul" ? simdChoice(k, env) : undefined;
    if (choice) out.set(k, choice);
  }
  return out;
}

function simdChoice(k: Kernel, env: BackendEnv): SimdChoice | undefined {
  const mode = (n: Node) => env.modes.get(n.id)!.kind;
  const mm = k.matmul ?? k.out;
  const [a, b] = mm.inputs as [Node, Node];
  if (a.type.shape.length !== 2 || b.type.shape.length !== 2) return undefined;
  const aT = mode(a) === "folded";
  const bT = mode(b) === "folded";
  const homes = [a, b].map((n) => env.home(mode(n) === "folded" ? n.inputs[0]! : n)) as [Node, Node];
  const f32 = [...homes, mm].every((n) => env.dtypeOf(n) === "f32") && homes.every((n) => mode(n) !== "constant");
  if (!f32) return undefined;
  // a transposed B (dS · W2ᵀ) is read from a transposed copy: only for an input or param of static shape, read nowhere else here
  const bHome = homes[1];
  const copyable = mode(bHome) === "external" && bHome.type.shape.every((d) => typeof d === "number");
  if (bT && (!copyable || k.nodes.some((n) => n !== mm && n.inputs.some((i) => env.home(i) === bHome)))) return undefined;
  // rows: C[M, N] = A[M, K] · B, K static; scatter: C[M, N] = A[K, M]ᵀ · B, M static
  const [M, K] = a.type.shape as [number | string, number | string];
  const inner = aT ? M : K;
  const cols = b.type.shape[1]!;
  if (typeof inner !== "number" || typeof cols !== "number" || cols < 4) return undefined;
  return { kind: aT ? "scatter" : "rows", K: inner, N: cols, operands: [{ node: homes[0], transposed: false }, { node: bHome, transposed: bT }], list: homes[0] };
}
