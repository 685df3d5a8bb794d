/**
 * Fusion: decides which nodes get a buffer and groups the rest into kernels.
 *   - chains of elementwise ops become one loop (each node a `const` in its body);
 *   - a reduction reads its elementwise input inline (sum(g * mask) is one loop);
 *   - a matmul whose only user is elementwise runs that chain as its epilogue
 *     (matmul + bias + activation: the textbook's Affine → ReLU in one kernel);
 *   - a transpose read only by matmuls is never copied: the matmul reads it transposed;
 *   - reshape is the same array, numel a number known from the dims.
 * The result is an ordered list of kernels, each writing one buffer.
 */
import { ancestors, isConst, isExternal, isLeaf, type Node } from "../graph/ir.js";
import { sameShape } from "../tensor/types.js";
import { opDef, type KernelSpec } from "../ops/index.js";

export type Mode =
  /** an input or param array */
  | { readonly kind: "external" }
  /** a scalar constant, written as a number */
  | { readonly kind: "literal" }
  /** a tensor constant, a module-level array */
  | { readonly kind: "constant" }
  /** a number computed from the dims (numel) */
  | { readonly kind: "dims" }
  /** the same array as its input */
  | { readonly kind: "alias" }
  /** a transpose that matmuls read in place */
  | { readonly kind: "folded" }
  /** computed inside the kernel of its only user */
  | { readonly kind: "inline" }
  /** written by a kernel into a workspace buffer */
  | { readonly kind: "buffer" };

export type KernelKind = "map" | "reduce" | "matmul" | "loop";

export interface Kernel {
  readonly kind: KernelKind;
  /** the node whose buffer the kernel writes */
  readonly out: Node;
  /** every node the kernel computes, in order, ending with `out` */
  readonly nodes: readonly Node[];
  /** a matmul computed in this kernel with the elementwise chain as its epilogue */
  readonly matmul?: Node;
}

export interface Plan {
  readonly order: readonly Node[];
  readonly modes: ReadonlyMap<number, Mode>;
  readonly kernels: readonly Kernel[];
  readonly roots: ReadonlySet<number>;
}

export function specOf(n: Node): KernelSpec | "elementwise" | "leaf" {
  if (isLeaf(n)) return "leaf";
  const def = opDef(n.op);
  if (def.traits.elementwise) return "elementwise";
  if (!def.kernel) throw new Error(`internal error: op ${n.op} has no kernel`);
  return def.kernel;
}

const isMatmul = (n: Node): boolean => {
  const s = specOf(n);
  return s !== "leaf" && s !== "elementwise" && s.kind === "matmul";
};

const kindOf = (n: Node): KernelKind => {
  const s = specOf(n);
  if (s === "elementwise") return "map";
  if (s === "leaf") throw new Error("internal error: a leaf has no kernel");
  if (s.kind === "reduce" || s.kind === "matmul" || s.kind === "loop") return s.kind;
  // a reshape that cannot alias (see baseMode) copies its one element
  if (s.kind === "alias") return "map";
  throw new Error(`internal error: ${n.op} is not computed by a kernel`);
};

export function plan(rootNodes: readonly Node[]): Plan {
  const order = ancestors(rootNodes);
  const roots = new Set(rootNodes.map((r) => r.id));
  const users = new Map<number, Node[]>();
  // pushed in place: a shared constant (0.5, 1) can have thousands of users
  for (const n of order) {
    for (const i of n.inputs) {
      const list = users.get(i.id);
      if (list) list.push(n);
      else users.set(i.id, [n]);
    }
  }
  const modes = new Map<number, Mode>();
  for (const n of order) modes.set(n.id, baseMode(n, roots, users.get(n.id) ?? []));
  // a matmul whose only user is an elementwise chain of its shape computes that chain
  const epilogues = new Map<number, Node>();
  for (const n of order) {
    if (!isMatmul(n) || roots.has(n.id) || modes.get(n.id)!.kind !== "buffer") continue;
    const u = users.get(n.id) ?? [];
    if (u.length !== 1 || specOf(u[0]!) !== "elementwise" || !sameShape(u[0]!.type.shape, n.type.shape)) continue;
    const root = kernelRoot(u[0]!, modes, users);
    if (specOf(root) !== "elementwise" || epilogues.has(root.id) || !sameShape(root.type.shape, n.type.shape)) continue;
    epilogues.set(root.id, n);
    modes.set(n.id, { kind: "inline" });
  }
  const kernels: Kernel[] = [];
  for (const n of order) {
    if (modes.get(n.id)!.kind !== "buffer") continue;
    const matmul = epilogues.get(n.id);
    kernels.push({ kind: matmul ? "matmul" : kindOf(n), out: n, nodes: treeOf(n, modes), matmul });
  }
  return { order, modes, kernels, roots };
}

function baseMode(n: Node, roots: ReadonlySet<number>, users: readonly Node[]): Mode {
  if (isExternal(n)) return { kind: "external" };
  if (isConst(n)) return { kind: n.type.shape.length === 0 ? "literal" : "constant" };
  const spec = specOf(n);
  if (spec !== "elementwise" && spec !== "leaf") {
    if (spec.kind === "dims") return { kind: "dims" };
    // a scalar input or param is a number, not an array: a tensor reshaped from it needs a buffer
    if (spec.kind === "alias") return scalarLeafBelow(n) ? { kind: "buffer" } : { kind: "alias" };
  }
  if (roots.has(n.id)) return { kind: "buffer" };
  if (opDef(n.op).traits.transpose && users.every(isMatmul)) return { kind: "folded" };
  if (spec !== "elementwise" || users.length !== 1) return { kind: "buffer" };
  const user = users[0]!;
  const userSpec = specOf(user);
  if (userSpec === "elementwise") {
    const fits = sameShape(n.type.shape, user.type.shape) || n.type.shape.length === 0;
    return { kind: fits ? "inline" : "buffer" };
  }
  if (userSpec !== "leaf" && userSpec.kind === "reduce") return { kind: "inline" };
  return { kind: "buffer" };
}

/** Whether n is a chain of aliases over a scalar input or param. */
function scalarLeafBelow(n: Node): boolean {
  const isAlias = (x: Node) => {
    const spec = specOf(x);
    return spec !== "leaf" && spec !== "elementwise" && spec.kind === "alias";
  };
  let at = n.inputs[0]!;
  while (isAlias(at)) at = at.inputs[0]!;
  return isExternal(at) && at.type.shape.length === 0;
}

/** The node whose kernel computes `n`: n itself, or the first non-inline node up its chain of users. */
function kernelRoot(n: Node, modes: ReadonlyMap<number, Mode>, users: ReadonlyMap<number, Node[]>): Node {
  let at = n;
  while (modes.get(at.id)!.kind === "inline") at = users.get(at.id)![0]!;
  return at;
}

/** The nodes a kernel computes: its output and the inline nodes it reads, in order. */
function treeOf(out: Node, modes: ReadonlyMap<number, Mode>): Node[] {
  const seen = new Map<number, Node>();
  const stack = [out];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.set(n.id, n);
    if (isMatmul(n) && n !== out) continue; // an epilogue matmul's operands are buffers
    for (const i of n.inputs) if (modes.get(i.id)!.kind === "inline") stack.push(i);
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}
