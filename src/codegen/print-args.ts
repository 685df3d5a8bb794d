/**
 * How the runners (`forward`, `step`, `dimsOf`) name what they pass: a kernel's
 * arguments (an input, a param, its copy in WebAssembly memory, or a workspace slot),
 * where a result is read, the size check of each input and param, and the dims their
 * lengths imply. A printer of the module skeleton, beside module.ts.
 */
import { isInput, isParam, leafName, type Graph, type Node } from "../graph/ir.js";
import * as K from "../kernel/ir.js";
import type { Mode } from "../optimize/fuse.js";
import type { Mirror } from "./index.js";
import type { EmittedKernel, Source } from "./module.js";
import { commentText, prop, stringLiteral } from "./names.js";

/** Code for a kernel's argument: the input, the param (or its copy in WebAssembly memory), or the workspace slot. */
export function argumentOf(home: (n: Node) => Node, mirrors: readonly Mirror[], slot: (h: Node) => string) {
  return (n: Node, k?: EmittedKernel): string => {
    const h = home(n);
    const operand = k?.program.wasmOperands.find((o) => o.node === h);
    const mirror = operand && mirrors.find((m) => m.node === h && m.transposed === operand.transposed);
    if (mirror) return mirror.local;
    if (isInput(h)) return prop("inputs", leafName(h));
    if (isParam(h)) return prop("params", leafName(h));
    return `ws.${slot(h)}`;
  };
}


/** Where a root's value is read after the kernels ran: a number for scalars, else an array. */
export function valueOf(modes: ReadonlyMap<number, Mode>, home: (n: Node) => Node, constant: (n: Node) => string, argument: (n: Node) => string) {
  return (n: Node) => {
    const h = home(n);
    const mode = modes.get(h.id)!.kind;
    const scalar = n.type.shape.length === 0;
    if (mode === "literal") return { code: String(h.value!.data[0]), scalar, external: false };
    if (mode === "constant") return { code: constant(h), scalar, external: true };
    if (mode === "dims") return { code: "NaN", scalar, external: false };
    const external = mode === "external";
    return { code: scalar && !external ? `${argument(h)}[0]!` : argument(h), scalar, external };
  };
}

/** One line per input and param: a wrong length is a clear RangeError, not wrong numbers. */
export function sizeChecks(graph: Graph, size: (e: K.Expr) => string): string[] {
  return [...graph.inputs.map((d) => ["inputs", d] as const), ...graph.params.map((d) => ["params", d] as const)]
    .filter(([, d]) => d.node.type.shape.length > 0)
    .map(([where, d]) => {
      const shape = d.node.type.shape;
      const count = K.product(K.shapeExpr(shape));
      const arr = prop(where, d.name);
      // the message is built from string literals: a name never meets template syntax
      const before = stringLiteral(`${where === "inputs" ? "input" : "param"} ${d.name} has `);
      const needs = count.k === "num" ? stringLiteral(` elements, but this workspace needs ${count.value}`) : `${stringLiteral(` elements, but this workspace needs ${shape.join(" * ")} = `)} + ${size(count)}`;
      return `if (${arr}.length !== ${size(count)}) throw new RangeError(${before} + ${arr}.length + ${needs});`;
    });
}

/** `const N = inputs.x.length / 784;` for each dim an input or param's length implies. */
export function dimsOfCode(graph: Graph, size: (e: K.Expr) => string, dims: ReadonlyMap<string, string>): { lines: string[]; reads: Set<Source> } {
  const known = new Set<string>();
  const lines: string[] = [];
  const reads = new Set<Source>();
  const decls = [...graph.inputs.map((d) => ["inputs", d] as const), ...graph.params.map((d) => ["params", d] as const)];
  for (const [d, name] of dims) {
    const found = decls.find(([, x]) => {
      const others = x.node.type.shape.filter((s) => s !== d);
      return x.node.type.shape.filter((s) => s === d).length === 1 && others.every((s) => typeof s === "number" || known.has(s as string));
    });
    if (!found) {
      lines.push(`const ${name} = NaN; // no input's shape implies ${commentText(d)}: pass it to createWorkspace`);
      continue;
    }
    const [where, x] = found;
    const others = K.product(K.shapeExpr(x.node.type.shape.filter((s) => s !== d)));
    const divisor = others.k === "bin" ? `(${size(others)})` : size(others);
    lines.push(`const ${name} = ${prop(where, x.name)}.length${others.k === "num" && others.value === 1 ? "" : ` / ${divisor}`};`);
    known.add(d);
    reads.add(where);
  }
  return { lines, reads };
}
