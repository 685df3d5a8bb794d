/** The `meta` export: a plain object literal describing the graph, printed deterministically. */
import type { Graph, InitSpec, Node } from "../graph/ir.js";
import type { DType } from "../tensor/types.js";
import { key, stringLiteral } from "./names.js";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * A constant initial value as the module's reader needs it: one number when every element is
 * that number (the usual `= 0`), else the elements in row-major order (the shape is beside it).
 */
function initialValue(data: ArrayLike<number>): Json {
  const all = Array.from(data);
  return all.every((x) => Object.is(x, all[0])) ? (all[0] ?? 0) : all;
}

export function printMeta(graph: Graph, source: string, dtypeOf: (n: Node) => DType): string {
  const type = (n: Node): Json => ({ dtype: dtypeOf(n), shape: n.type.shape.map((d) => d) });
  const init = (i: InitSpec): Json => (i.kind === "value" ? { kind: "value", value: initialValue(i.value.data) } : { ...i });
  const grads: { [k: string]: Json } = {};
  for (const g of graph.grads) grads[g.of] = { ...((grads[g.of] as { [k: string]: Json }) ?? {}), [g.wrt]: type(g.node!) };
  const value: Json = {
    source,
    dims: [...graph.dims],
    inputs: Object.fromEntries(graph.inputs.map((d) => [d.name, type(d.node)])),
    params: Object.fromEntries(graph.params.map((d) => [d.name, { ...(type(d.node) as object), init: init(d.init) }])),
    outputs: Object.fromEntries(graph.outputs.map((d) => [d.name, type(d.node)])),
    losses: graph.losses.map((l) => l.name),
    grads,
  };
  return print(value, "");
}

function print(v: Json, indent: string): string {
  if (Array.isArray(v)) return `[${v.map((x) => print(x, indent)).join(", ")}]`;
  if (v && typeof v === "object") {
    const flat = Object.values(v).every((x) => x === null || typeof x !== "object" || (Array.isArray(x) && x.every((y) => typeof y !== "object")));
    if (flat && Object.keys(v).length > 0) return `{ ${Object.entries(v).map(([k, x]) => `${key(k)}: ${print(x, indent)}`).join(", ")} }`;
    const inner = indent + "  ";
    const entries = Object.entries(v).map(([k, x]) => `${inner}${key(k)}: ${print(x, inner)},`);
    return entries.length === 0 ? "{}" : `{\n${entries.join("\n")}\n${indent}}`;
  }
  if (typeof v === "number") return numberLiteral(v);
  return typeof v === "string" ? stringLiteral(v) : JSON.stringify(v);
}

/** A number as TypeScript source: JSON has no NaN, infinities or -0 (and a graph may name a value `NaN`, so no identifier is used). */
function numberLiteral(x: number): string {
  if (Number.isNaN(x)) return "0 / 0";
  if (x === Infinity) return "1 / 0";
  if (x === -Infinity) return "-1 / 0";
  return Object.is(x, -0) ? "-0" : String(x);
}
