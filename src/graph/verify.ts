/**
 * The IR verifier: what every pass must leave true of a Graph. Ids ascend (a topological
 * order: inputs before users), every input and declaration points at a node of the graph
 * (nothing dangling), every op node's type is what its op's type rule gives for its
 * inputs, and a constant's value has its type's shape. The optimizer runs it after each
 * pass under `--verify` (or GRADC_VERIFY=1, as the tests set it); a broken invariant is
 * gradc's own bug, reported as an internal error naming the pass.
 */
import { opDef } from "../ops/index.js";
import { isConst, isLeaf, type Graph, type Node } from "./ir.js";
import type { Type } from "../tensor/types.js";

/** The first broken invariant, as a sentence, or undefined when the graph is sound. */
export function verifyGraph(g: Graph): string | undefined {
  const all = new Set(g.nodes);
  const known = new Set<Node>();
  let last = -1;
  for (const n of g.nodes) {
    if (n.id <= last) return `node ${n.id} (${n.op}) comes after node ${last}: ids must ascend`;
    last = n.id;
    for (const i of n.inputs) if (!known.has(i)) return `node ${n.id} (${n.op}) reads node ${i.id} (${i.op}), ${all.has(i) ? "which comes after it: not a topological order" : "which is not in the graph"}`;
    const wrong = typeError(n);
    if (wrong) return `node ${n.id} (${n.op}): ${wrong}`;
    known.add(n);
  }
  const declared: [string, Node | undefined][] = [
    ...g.inputs.map((d): [string, Node] => [`input ${d.name}`, d.node]),
    ...g.params.map((d): [string, Node] => [`param ${d.name}`, d.node]),
    ...g.outputs.map((d): [string, Node] => [`output ${d.name}`, d.node]),
    ...g.losses.map((d): [string, Node] => [`loss ${d.name}`, d.node]),
    ...g.names.map((d): [string, Node] => [`name ${d.name}`, d.node]),
    ...g.grads.map((d): [string, Node | undefined] => [`grad ${d.of} wrt ${d.wrt}`, d.node]),
  ];
  for (const [what, node] of declared) if (node !== undefined && !known.has(node)) return `${what} points at node ${node.id} (${node.op}), which is not in the graph`;
  return undefined;
}

function typeError(n: Node): string | undefined {
  if (isConst(n)) {
    const size = n.type.shape.reduce<number>((a, d) => a * (typeof d === "number" ? d : NaN), 1);
    return n.value === undefined ? "a constant without a value" : n.value.data.length !== size ? `its value has ${n.value.data.length} elements, its type ${size}` : undefined;
  }
  if (isLeaf(n)) return undefined;
  let expected: Type;
  try {
    expected = opDef(n.op).type(n.inputs.map((i) => i.type), n.attrs, { fail: (entry, args) => entry(undefined, args) });
  } catch (e) {
    return `its op's type rule refuses its inputs: ${(e as Error).message}`;
  }
  return same(expected, n.type) ? undefined : `its type is ${show(n.type)}, but ${n.op} of its inputs gives ${show(expected)}`;
}

const same = (a: Type, b: Type) => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
const show = (t: Type) => `${t.dtype}[${t.shape.join(", ")}]`;

/** Whether the optimizer verifies after each pass: `--verify`, or GRADC_VERIFY=1 in the environment. */
// read through globalThis: the core also runs in a browser page, which has no `process`
export const verifying = () => (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env["GRADC_VERIFY"] === "1";
