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
import type { AttrSpec, Composite, OpDef } from "./types.js";
import { scalarOps, userFnOp } from "./userfn.js";

export type { AttrSpec, Composite, GraphBuilder, KernelSpec, LoopContext, OpDef, Traits, Vjp } from "./types.js";

/** Leaves of the graph; they are not ops of the table. */
export const LEAVES = ["input", "param", "const"] as const;

const primitives: readonly OpDef[] = [...elementwiseOps, ...reduceOps, ...matmulOps, ...shapeOps, ...lossOps, userFnOp];
const composites: readonly Composite[] = [...reduceComposites, ...lossComposites];

function index<T extends { name: string }>(items: readonly T[], what: string, taken: ReadonlySet<string>): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.name) || taken.has(item.name)) throw new Error(`internal error: ${what} ${item.name} is declared twice`);
    map.set(item.name, item);
  }
  return map;
}

export const ops: ReadonlyMap<string, OpDef> = index(primitives, "op", new Set(LEAVES));

for (const op of primitives) if (op.scalar) scalarOps.set(op.name, op.scalar);

export function opDef(name: string): OpDef {
  const def = ops.get(name);
  if (!def) throw new Error(`internal error: no op named ${name}`);
  return def;
}

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
