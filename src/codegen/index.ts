/**
 * Code generation: optimized graph → fusion plan → memory plan → one TypeScript
 * module that imports nothing. Same graph and options, same bytes.
 */
import { ancestors, type Graph, type Node } from "../graph/ir.js";
import type { DType } from "../graph/types.js";
import { plan, type Mode, type Plan } from "../optimize/fuse.js";
import { planMemory } from "../optimize/memory.js";
import { optimize } from "../optimize/pipeline.js";
import { roots } from "../optimize/rebuild.js";
import * as K from "../kernel/ir.js";
import { planBackends } from "./backend.js";
import { lowerKernel, type KernelEnv } from "./kernels.js";
import { printKernel, Printer, Scope } from "./print-ts.js";
import { printMeta } from "./meta.js";
import { printModule, type EmittedKernel, type Source } from "./module.js";
import { commentText, Names, prop, stringLiteral } from "./names.js";
import { kernelDoc, kernelName, labelsOf } from "./naming.js";

import { HEADER_MARK, VERSION } from "./header.js";
import { listBytes, simdMatmul, type SimdMatmul } from "./simd.js";
import type { WasmFunction } from "./wasm.js";

export { HEADER_MARK, VERSION };

export interface EmitOptions {
  /** store every float tensor in this dtype (default: as declared) */
  readonly dtype?: "f32" | "f64";
  /** the source path written in the header and meta (default: graph.file) */
  readonly source?: string;
  /** matmuls of f32 arrays with static column counts as WebAssembly SIMD kernels (see simd.ts) */
  readonly simd?: boolean;
}

export function emitModule(input: Graph, options: EmitOptions = {}): string {
  const graph = optimize(input);
  const source = options.source ?? graph.file;
  const dtypeOf = (n: Node): DType => (n.type.dtype === "i32" ? "i32" : (options.dtype ?? n.type.dtype));
  const stepPlan = plan(roots(graph));
  const memory = planMemory(stepPlan, dtypeOf);

  // one scope for the whole module: dims, constants and kernels avoid every name the module writes itself
  const moduleNames = new Names([...MODULE_NAMES, ...FUNCTION_LOCALS]);
  const dims = new Map(graph.dims.map((d) => [d, moduleNames.name(d)]));
  const label = labelOf(graph);
  const home = homeOf(stepPlan.modes);
  const constants = stepPlan.order
    .filter((n) => stepPlan.modes.get(n.id)!.kind === "constant")
    .map((node) => {
      const name = moduleNames.name(`${label(node)}_const`);
      return { node, name, buf: K.buffer(name, dtypeOf(node)) };
    });
  const wasm = new WasmKernels();
  const choices = planBackends(stepPlan.kernels, { modes: stepPlan.modes, home, dtypeOf }, options.simd === true);
  const env: KernelEnv = {
    dtypeOf,
    simd: (m, base) => wasm.add(m, base),
    simdOf: (k) => choices.get(k),
    modes: stepPlan.modes,
    label,
    constant: (n) => constants.find((c) => c.node.id === n.id)!.buf,
    home,
  };
  // the workspace's fields and createWorkspace's locals
  const slotScope = moduleNames.child();
  const slotNames = memory.slots.map((s) => slotScope.name(s.nodes.length === 1 ? label(s.nodes[0]!) : `${label(s.nodes[0]!)}_buf`));
  const kernels = stepPlan.kernels.map((k): EmittedKernel => ({ name: moduleNames.name(kernelName(k, label)), doc: kernelDoc(k, graph), program: lowerKernel(k, env, graph.dims), out: k.out }));
  // a kernel reads its parameters and locals, dims, the module's constants and globals (which no name ever takes)
  const kernelScope = new Names([...dims.values(), ...constants.map((c) => c.name)]);
  const mirrors = wasm.mirrors(kernels, (n, t) => slotScope.name(`${label(n)}${t ? "T" : ""}_wasm`));
  const argument = argumentOf(home, mirrors, (h) => slotNames[memory.slotOf.get(h.id)!]!);
  const printer = new Printer({ flavor: "ts", dims });
  const size = (e: K.Expr) => printer.expr(e, new Scope(new Names()));
  const value = valueOf(stepPlan.modes, home, (n) => constants.find((c) => c.node.id === n.id)!.name, argument);
  return printModule({
    graph,
    header: header(source, options, wasm.functions.length),
    // with no matmul that qualifies, a --simd module is the plain one
    simd: wasm.functions.length > 0 ? { functions: wasm.functions, mirrors, listBytes: wasm.listBytes } : undefined,
    dims,
    dtypeOf,
    step: stepPlan,
    forwardKernels: forwardKernels(graph, stepPlan),
    memory,
    slotNames,
    kernels,
    kernel: (k) => printKernel(k, kernelScope, constants, printer),
    constants,
    value,
    argument,
    meta: printMeta(graph, source, dtypeOf),
    sizeChecks: sizeChecks(graph, size),
    dimsOf: dimsOfCode(graph, size, dims),
    label,
    home,
    source: (n) => (n.op === "input" ? "inputs" : n.op === "param" ? "params" : undefined),
    size,
    names: slotScope,
  });
}

/** Readable names of nodes: their .graph names and grad_NAME, else t and the id. */
function labelOf(graph: Graph): (n: Node) => string {
  const labels = labelsOf(graph);
  return (n) => labels.get(n.id) ?? `t${n.id}`;
}

/** The kernels `forward` runs: those computing what the outputs and losses need. */
function forwardKernels(graph: Graph, stepPlan: Plan): Set<number> {
  const forwardIds = new Set(ancestors([...graph.outputs, ...graph.losses].map((d) => d.node)).map((n) => n.id));
  return new Set(stepPlan.kernels.filter((k) => forwardIds.has(k.out.id)).map((k) => k.out.id));
}

/** The names a module declares at its top level: its exports and its own helpers. */
const MODULE_NAMES = ["Dims", "Inputs", "Params", "Outputs", "Grads", "Workspace", "SimdKernels", "createWorkspace", "dimsOf", "forward", "step", "meta", "simdModule", "align16"];
/** The parameters and locals of createWorkspace, dimsOf, forward and step, and the workspace's own fields. */
const FUNCTION_LOCALS = ["ws", "inputs", "params", "_inputs", "_params", "dims", "outputs", "grads", "scratch", "iscratch", "simd", "simdOut", "memory"];

/** Code for a kernel's argument: the input, the param (or its copy in WebAssembly memory), or the workspace slot. */
function argumentOf(home: (n: Node) => Node, mirrors: readonly Mirror[], slot: (h: Node) => string) {
  return (n: Node, k?: EmittedKernel): string => {
    const h = home(n);
    const operand = k?.program.wasmOperands.find((o) => o.node === h);
    const mirror = operand && mirrors.find((m) => m.node === h && m.transposed === operand.transposed);
    if (mirror) return `ws.${mirror.name}`;
    if (h.op === "input") return prop("inputs", h.attrs["name"] as string);
    if (h.op === "param") return prop("params", h.attrs["name"] as string);
    return `ws.${slot(h)}`;
  };
}

function header(source: string, options: EmitOptions, wasmKernels: number): string {
  const simd = wasmKernels > 0 ? " (--simd)" : " (--simd: no matmul of f32 arrays with static column counts, so no WebAssembly)";
  const flags = `${options.dtype ? ` (--dtype ${options.dtype})` : ""}${options.simd ? simd : ""}`;
  return `${HEADER_MARK} ${VERSION} from ${commentText(source)}${flags}. Do not edit: rerun \`gradc compile\`.`;
}

/** The node whose array holds n's elements: through reshapes (aliases) and transposes read in place. */
function homeOf(modes: ReadonlyMap<number, Mode>): (n: Node) => Node {
  return (n) => {
    let at = n;
    for (let m = modes.get(at.id)!.kind; m === "alias" || m === "folded"; m = modes.get(at.id)!.kind) at = at.inputs[0]!;
    return at;
  };
}

/** An input or param copied into the WebAssembly memory (transposed, when a kernel reads its transpose). */
export interface Mirror {
  readonly node: Node;
  readonly transposed: boolean;
  readonly name: string;
}

/** The WebAssembly kernels a --simd module registers as its kernels are written. */
class WasmKernels {
  readonly functions: WasmFunction[] = [];
  /** bytes at the start of the memory for the rows kernels' lists of non-zeros */
  listBytes = 0;
  private readonly names = new Names(["memory"]);

  add(m: Omit<SimdMatmul, "name">, base: string): string {
    // export names stay ASCII: they are WAT `$names` in the listing and JavaScript properties
    const name = this.names.name(`${m.kind}_${asciiName(base)}`);
    this.functions.push(simdMatmul({ ...m, name }));
    this.listBytes = Math.max(this.listBytes, listBytes(m));
    return name;
  }

  /** The inputs and params a WebAssembly kernel reads: copied (or transposed) into its memory before the kernels run. */
  mirrors(kernels: readonly EmittedKernel[], name: (n: Node, transposed: boolean) => string): Mirror[] {
    const external = kernels.flatMap((k) => k.program.wasmOperands).filter((o) => o.node.op === "input" || o.node.op === "param");
    const unique = new Map(external.map((o) => [`${o.node.id}${o.transposed ? "T" : ""}`, o]));
    return [...unique.values()].map((o) => ({ ...o, name: name(o.node, o.transposed) }));
  }
}

/** A name's ASCII letters, digits and `_`, each other character as `u` and its code point. */
function asciiName(name: string): string {
  return [...name].map((c) => (/[A-Za-z0-9_]/.test(c) ? c : `u${c.codePointAt(0)!.toString(16)}`)).join("");
}

/** Where a root's value is read after the kernels ran: a number for scalars, else an array. */
function valueOf(modes: ReadonlyMap<number, Mode>, home: (n: Node) => Node, constant: (n: Node) => string, argument: (n: Node) => string) {
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
function sizeChecks(graph: Graph, size: (e: K.Expr) => string): string[] {
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
function dimsOfCode(graph: Graph, size: (e: K.Expr) => string, dims: ReadonlyMap<string, string>): { lines: string[]; reads: Set<Source> } {
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
