/**
 * Memory planning: every buffer-mode node gets a slot of the workspace, allocated once.
 * A slot is reused by a later node of the same dtype and size once every kernel that
 * reads its current node has run. Outputs and gradients keep their slots to the end.
 */
import type { Node } from "../graph/ir.js";
import { dimFactors, type DType, type Shape } from "../tensor/types.js";
import type { Plan } from "./fuse.js";

export interface Slot {
  readonly dtype: DType;
  /** the shape of its first node: its element count is the product (printers write it through the name resolver) */
  readonly shape: Shape;
  /** the nodes that live in it, in order */
  readonly nodes: Node[];
}

export interface MemoryPlan {
  readonly slots: readonly Slot[];
  readonly slotOf: ReadonlyMap<number, number>;
}

/** Two nodes fit one slot when their element counts are the same product of the same factors. */
const sizeKey = (shape: Shape): string => {
  const fs = shape.map(dimFactors);
  return [fs.reduce((a, f) => a * f.numeric, 1), ...fs.flatMap((f) => f.names).sort()].join("\u0000");
};

export function planMemory(p: Plan, dtypeOf: (n: Node) => DType): MemoryPlan {
  // the buffer a node's value lives in: through aliases and folded transposes
  const home = (n: Node): Node => {
    let at = n;
    for (let k = p.modes.get(at.id)!.kind; k === "alias" || k === "folded"; k = p.modes.get(at.id)!.kind) at = at.inputs[0]!;
    return at;
  };
  const lastUse = new Map<number, number>();
  p.kernels.forEach((k, index) => {
    const inTree = new Set(k.nodes.map((n) => n.id));
    for (const n of k.nodes) {
      for (const i of n.inputs) if (!inTree.has(i.id)) lastUse.set(home(i).id, index);
    }
  });
  const byId = new Map(p.order.map((n) => [n.id, n]));
  for (const r of p.roots) {
    const n = byId.get(r);
    if (n) lastUse.set(home(n).id, Infinity);
  }
  const slots: Slot[] = [];
  const slotOf = new Map<number, number>();
  // free slots by dtype and size, each list in the order the slots were freed; slots freed after kernel i, by i
  const free = new Map<string, number[]>();
  const freedAfter = new Map<number, number[]>();
  p.kernels.forEach((k, index) => {
    const due = freedAfter.get(index - 1) ?? [];
    for (let r = due.length - 1; r >= 0; r--) {
      const s = due[r]!;
      const key = `${slots[s]!.dtype}:${sizeKey(slots[s]!.shape)}`;
      const list = free.get(key);
      if (list) list.push(s);
      else free.set(key, [s]);
    }
    freedAfter.delete(index - 1);
    const dtype = dtypeOf(k.out);
    const reuse = free.get(`${dtype}:${sizeKey(k.out.type.shape)}`)?.shift();
    let slot: number;
    if (reuse !== undefined) {
      slot = reuse;
      slots[slot]!.nodes.push(k.out);
    } else {
      slot = slots.length;
      slots.push({ dtype, shape: k.out.type.shape, nodes: [k.out] });
    }
    slotOf.set(k.out.id, slot);
    const last = lastUse.get(k.out.id) ?? index;
    if (last === Infinity) return;
    const list = freedAfter.get(last);
    if (list) list.push(slot);
    else freedAfter.set(last, [slot]);
  });
  return { slots, slotOf };
}
