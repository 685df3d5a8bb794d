/**
 * THE op table: every primitive and every composite function of the language, each
 * declared once in its family's file. This module only gathers them and rejects
 * duplicates; it holds no op's facts.
 */
import { elementwiseOps } from "./elementwise.js";
import { lossComposites, lossOps } from "./loss.js";
import { matmulOps } from "./matmul.js";
import { reduceComposites, reduceOps } from "./reduce.js";
import { shapeOps } from "./shape.js";
import { gradOp } from "./grad.js";
import { OP_NAMES, type LeafKind, type OpName } from "./names.js";
import type { AttrSpec, Composite, Identity, OpDef } from "./types.js";
import { scalarOps, userFnOp } from "./userfn.js";

export type { AttrSpec, ClassIndices, Composite, GraphBuilder, Identity, KernelSpec, LoopContext, OpDef, RewriteBuilder, Traits, Vjp, VjpBuilder } from "./types.js";
export { OP_NAMES, type LeafKind, type OpName } from "./names.js";

/** Leaves of the graph; they are not ops of the table. */
export const LEAVES: readonly LeafKind[] = ["input", "param", "const"];

const primitives: readonly OpDef[] = [...elementwiseOps, ...reduceOps, ...matmulOps, ...shapeOps, ...lossOps, userFnOp, gradOp];
const composites: readonly Composite[] = [...reduceComposites, ...lossComposites];

function index<K extends string, T extends { name: K }>(items: readonly T[], what: string, taken: ReadonlySet<string>): Map<K, T> {
  const map = new Map<K, T>();
  for (const item of items) {
    if (map.has(item.name) || taken.has(item.name)) throw new Error(`internal error: ${what} ${item.name} is declared twice`);
    map.set(item.name, item);
  }
  return map;
}

export const ops: ReadonlyMap<OpName, OpDef> = index(primitives, "op", new Set(LEAVES));
{
  // the names the compiler checks are the names the table declares, each once
  const missing = OP_NAMES.filter((n) => !ops.has(n));
  if (missing.length > 0 || ops.size !== OP_NAMES.length) throw new Error(`internal error: ops/names.ts and the op table disagree (${missing.join(", ")})`);
}

for (const op of primitives) if (op.scalar) scalarOps.set(op.name, op.scalar);

/** The entry of an op node's op (a leaf has none: internal error). */
export function opDef(name: OpName | LeafKind): OpDef {
  const def = ops.get(name as OpName);
  if (!def) throw new Error(`internal error: no op named ${name}`);
  return def;
}

/** Every identity of the table, each once (an entry may share one with another: reshape and broadcast_to). */
export const identities: readonly Identity[] = [...new Set(primitives.flatMap((d) => d.identities ?? []))];

/** A function callable from `.graph` files: a primitive with a surface name, or a composite. */
export interface Builtin {
  readonly name: string;
  readonly doc: string;
  readonly inputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  readonly op?: OpDef;
  readonly composite?: Composite;
}

function builtinTable(): Map<string, Builtin> {
  const list: Builtin[] = [
    ...primitives.filter((d) => d.surface).map((op) => ({ name: op.surface!, doc: op.doc, inputs: op.inputs, attrs: op.attrs, op })),
    ...composites.map((c) => ({ name: c.name, doc: c.doc, inputs: c.inputs, attrs: c.attrs, composite: c })),
  ];
  return index(list, "function", new Set());
}

export const builtins: ReadonlyMap<string, Builtin> = builtinTable();
