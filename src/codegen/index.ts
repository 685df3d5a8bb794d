/**
 * Code generation: optimized graph → fusion plan → memory plan → one TypeScript
 * module that imports nothing. Same graph and options, same bytes.
 */
import { ancestors, isExternal, isInput, isParam, type Graph, type Node } from "../graph/ir.js";
import type { DType } from "../tensor/types.js";
import { plan, type Mode, type Plan } from "../optimize/fuse.js";
import { planMemory } from "../optimize/memory.js";
import { optimize } from "../optimize/pipeline.js";
import { roots } from "../optimize/rebuild.js";
import * as K from "../kernel/ir.js";
import { planBackends } from "./backend.js";
import { formatKernel } from "../kernel/format.js";
import { lowerKernel, type KernelEnv } from "./kernels.js";
import { printKernel, Printer, Scope } from "./print-ts.js";
import { printMeta } from "./meta.js";
import { printModule, withoutTypes, type EmittedKernel, type ModuleParts } from "./module.js";
import { asciiName, commentText, Names } from "./names.js";
import { argumentOf, dimsOfCode, sizeChecks, valueOf } from "./print-args.js";
import { kernelDoc, kernelName, labelsOf } from "./naming.js";

import { HEADER_MARK, VERSION } from "./header.js";
import { WasmKernels, type Mirror } from "./wasm-kernels.js";

export { HEADER_MARK, VERSION };
export type { Mirror } from "./wasm-kernels.js";

export interface EmitOptions {
  /** store every float tensor in this dtype (default: as declared) */
  readonly dtype?: "f32" | "f64";
  /** the source path written in the header and meta (default: graph.file) */
  readonly source?: string;
  /** matmuls of f32 arrays with static column counts as WebAssembly SIMD kernels (see simd.ts) */
  readonly simd?: boolean;
  /** "js": the same module without its types, for engines and pages that run JavaScript only */
  readonly language?: "ts" | "js";
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
  const constants = constantsOf(stepPlan, (n) => moduleNames.name(`${label(n)}_const`), dtypeOf);
  // the workspace's fields and createWorkspace's locals
  const slotScope = moduleNames.child();
  const slotNames = memory.slots.map((s) => slotScope.name(s.nodes.length === 1 ? label(s.nodes[0]!) : `${label(s.nodes[0]!)}_buf`));
  const { kernels, wasm } = lowerKernels(graph, stepPlan, { dtypeOf, label, home, constant: (n) => constants.find((c) => c.node.id === n.id)!.buf }, options.simd === true, moduleNames);
  // a kernel reads its parameters and locals, dims, the module's constants and globals (which no name ever takes)
  const kernelScope = new Names([...dims.values(), ...constants.map((c) => c.name)]);
  const mirrors = wasm.mirrors(kernels, (n, t) => slotScope.name(`${label(n)}${t ? "T" : ""}_wasm`), (n) => slotScope.name(`${label(n)}_in`));
  const argument = argumentOf(home, mirrors, (h) => slotNames[memory.slotOf.get(h.id)!]!);
  const printer = new Printer({ flavor: "ts", dims });
  const size = (e: K.Expr) => printer.expr(e, new Scope(new Names()));
  const value = valueOf(stepPlan.modes, home, (n) => constants.find((c) => c.node.id === n.id)!.name, argument);
  const printed = printModule({
    graph,
    header: header(source, options),
    simd: options.simd ? simdParts(wasm, kernels, constants, mirrors, slotScope) : undefined,
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
    source: (n) => (isInput(n) ? "inputs" : isParam(n) ? "params" : undefined),
    size,
    names: slotScope,
  });
  return options.language === "js" ? withoutTypes(printed) : printed;
}

/**
 * Each kernel's program as a listing (`gradc ir --kernels`): its name, the `.graph` lines
 * it fuses, its parameters and its statements, before any printer runs.
 */
export function kernelListing(input: Graph, options: EmitOptions = {}): string {
  const graph = optimize(input);
  const dtypeOf = (n: Node): DType => (n.type.dtype === "i32" ? "i32" : (options.dtype ?? n.type.dtype));
  const stepPlan = plan(roots(graph));
  const label = labelOf(graph);
  const home = homeOf(stepPlan.modes);
  const names = new Names([...MODULE_NAMES, ...FUNCTION_LOCALS]);
  const constants = constantsOf(stepPlan, (n) => names.name(`${label(n)}_const`), dtypeOf);
  const { kernels } = lowerKernels(graph, stepPlan, { dtypeOf, label, home, constant: (n) => constants.find((c) => c.node.id === n.id)!.buf }, options.simd === true, names);
  return kernels
    .map((k) => formatKernel(k.name, k.doc, k.program.params, k.program.body))
    .join("\n\n")
    .concat("\n");
}

/** Every kernel lowered to its kernel program, after the back ends are planned; the WebAssembly kernels they call. */
function lowerKernels(graph: Graph, stepPlan: Plan, parts: Pick<KernelEnv, "dtypeOf" | "label" | "home" | "constant">, simd: boolean, moduleNames: Names) {
  const wasm = new WasmKernels();
  const choices = planBackends(stepPlan.kernels, { modes: stepPlan.modes, home: parts.home, dtypeOf: parts.dtypeOf }, simd);
  // a node SIMD matmuls read as A: its non-zeros are listed once, where it is made
  const listed = new Map([...choices.values()].map((c) => [c.list, c.K]));
  const listOf = (n: Node) => {
    const K = listed.get(n);
    return K === undefined ? undefined : wasm.list(n, parts.label(n), K);
  };
  const env: KernelEnv = { ...parts, modes: stepPlan.modes, simd: (m, base) => wasm.add(m, base), simdOf: (k) => choices.get(k), wasm: simd, listOf };
  const kernels = stepPlan.kernels.map((k): EmittedKernel => ({ name: moduleNames.name(kernelName(k, parts.label)), doc: kernelDoc(k, graph), program: lowerKernel(k, env, graph.dims), out: k.out }));
  return { kernels, wasm };
}

/** A --simd module's WebAssembly: every kernel printed into it, and the constants they read copied into its memory. */
function simdParts(wasm: WasmKernels, kernels: readonly EmittedKernel[], constants: readonly { node: Node; name: string; buf: K.Buf }[], mirrors: readonly Mirror[], slots: Names): NonNullable<ModuleParts["simd"]> {
  const { functions, imports, constantsOf } = wasm.printKernels(kernels, constants);
  const read = new Set([...constantsOf.values()].flat());
  const constantCopies = constants.filter((c) => read.has(c.name)).map((c) => ({ node: c.node, constant: c.name, name: slots.name(`${c.name}_wasm`) }));
  const copyOf = new Map(constantCopies.map((c) => [c.constant, c.name]));
  const lists = wasm.lists.map((l) => ({ ...l, name: slots.name(l.buf.hint) }));
  return { functions, imports, mirrors, listBytes: wasm.listBytes, constants: constantCopies, constantsOf: new Map([...constantsOf].map(([k, cs]) => [k, cs.map((c) => copyOf.get(c)!)])), lists };
}

/** The tensor constants: module-level arrays, named in the module's scope. */
function constantsOf(p: Plan, name: (n: Node) => string, dtypeOf: (n: Node) => DType) {
  return p.order
    .filter((n) => p.modes.get(n.id)!.kind === "constant")
    .map((node) => {
      const id = name(node);
      return { node, name: id, buf: K.buffer(id, dtypeOf(node)) };
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
const MODULE_NAMES = ["Dims", "Inputs", "Params", "Outputs", "Grads", "Workspace", "SimdKernels", "createWorkspace", "dimsOf", "forward", "step", "meta", "simdModule", "simdBytes", "simdModules", "align16", "inMemory", "workspaceBytes", "Placement", "WasmMemory", "MEMORY_LIMITS_AT"];
/** The parameters and locals of createWorkspace, dimsOf, forward and step, and the workspace's own fields. */
const FUNCTION_LOCALS = ["ws", "inputs", "params", "_inputs", "_params", "dims", "outputs", "grads", "scratch", "iscratch", "simd", "simdOut", "memory", "place", "base", "shared", "bytes", "at_list", "end"];

function header(source: string, options: EmitOptions): string {
  const flags = `${options.dtype ? ` (--dtype ${options.dtype})` : ""}${options.simd ? " (--simd)" : ""}`;
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
