/**
 * The module skeleton, built as ts-morph structures and printed once: typed
 * interfaces, the workspace (every buffer allocated once), one function per kernel,
 * `forward` and `step` calling them in order, and `meta`. The module imports nothing.
 */
import { IndentationText, Project, QuoteKind, StructureKind, ts, VariableDeclarationKind, type StatementStructures } from "ts-morph";
import type { Graph, Node } from "../graph/ir.js";
import type { DType, Shape } from "../tensor/types.js";
import type { Plan } from "../optimize/fuse.js";
import type { MemoryPlan } from "../optimize/memory.js";
import * as K from "../kernel/ir.js";
import type { KernelParam, KernelProgram } from "./kernels.js";
import { ARRAY, commentText, key, prop, type Names } from "./names.js";
import { inputLists, mirrorCopies, simdBuffers, simdBytesNeeded, simdFields, simdStatements } from "./simd-module.js";
import type { WasmFunction, WasmImport } from "./wasm.js";
import type { Mirror } from "./index.js";


export interface EmittedKernel {
  readonly name: string;
  readonly doc: string;
  readonly program: KernelProgram;
  readonly out: Node;
}

export interface ModuleParts {
  readonly graph: Graph;
  readonly header: string;
  readonly dims: ReadonlyMap<string, string>;
  readonly dtypeOf: (n: Node) => DType;
  readonly step: Plan;
  readonly forwardKernels: ReadonlySet<number>;
  readonly memory: MemoryPlan;
  readonly slotNames: readonly string[];
  readonly kernels: readonly EmittedKernel[];
  /** a kernel's function, printed */
  readonly kernel: (k: EmittedKernel) => string;
  readonly constants: readonly { name: string; node: Node }[];
  /** code for a root's value: a number for scalars, else an array */
  readonly value: (n: Node) => { code: string; scalar: boolean; external: boolean };
  /** code for a kernel's argument: the array (or number, for a scalar input) */
  readonly argument: (n: Node, k?: EmittedKernel) => string;
  /** with --simd: the WebAssembly module (every kernel is one of its functions), and the inputs, params and constants its kernels read in its memory */
  readonly simd?: {
    readonly functions: readonly WasmFunction[];
    readonly imports: readonly WasmImport[];
    readonly mirrors: readonly Mirror[];
    readonly listBytes: number;
    /** the module's constants the kernels read: copied once into the workspace's buffer `name` */
    readonly constants: readonly { readonly node: Node; readonly constant: string; readonly name: string }[];
    /** per kernel: the workspace buffers of the constants it is passed after its parameters */
    readonly constantsOf: ReadonlyMap<string, readonly string[]>;
    /** the lists of non-zeros the SIMD matmuls read: the workspace's buffer `name`, written by the export `fn` */
    readonly lists: readonly { readonly node: Node; readonly name: string; readonly fn: string; readonly rows: K.Expr; readonly K: number }[];
  };
  readonly meta: string;
  readonly sizeChecks: readonly string[];
  readonly dimsOf: { readonly lines: readonly string[]; readonly reads: ReadonlySet<Source> };
  /** where an input's or a param's array comes from: the runners' `inputs` or `params` */
  readonly source: (n: Node) => Source | undefined;
  readonly label: (n: Node) => string;
  /** the node whose array holds n's elements */
  readonly home: (n: Node) => Node;
  /** a size expression printed, its dims through the resolver */
  readonly size: (e: K.Expr) => string;
  /** the scope of the workspace's fields and createWorkspace's locals */
  readonly names: Names;
}

export type Source = "inputs" | "params";

/** A runner's parameter: `inputs`, or `_inputs` when this runner never reads it (the API keeps its place). */
const parameter = (reads: ReadonlySet<Source>, name: Source, type: string) => ({ name: reads.has(name) ? name : `_${name}`, type });

/**
 * The module as JavaScript: TypeScript's own emitter erases the types (interfaces,
 * annotations, `!`, `declare`), so the code that runs is the printed code, line for line.
 */
export function withoutTypes(code: string): string {
  return ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: false } }).outputText;
}

export function printModule(p: ModuleParts): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const file = project.createSourceFile("module.ts", { statements: statements(p) });
  return file.getFullText();
}

function typeOfValue(p: ModuleParts, n: Node): string {
  return n.type.shape.length === 0 ? "number" : ARRAY[p.dtypeOf(n)];
}

/** The requested gradients grouped by what they differentiate: grads[L][X]. */
function gradsGrouped(g: Graph): Map<string, Graph["grads"][number][]> {
  const byOf = new Map<string, Graph["grads"][number][]>();
  for (const d of g.grads) {
    const list = byOf.get(d.of);
    if (list) list.push(d);
    else byOf.set(d.of, [d]);
  }
  return byOf;
}

function statements(p: ModuleParts): (string | StatementStructures)[] {
  const g = p.graph;
  const iface = (name: string, doc: string, props: { name: string; type: string; doc?: string }[]): StatementStructures => ({
    kind: StructureKind.Interface,
    name,
    isExported: true,
    docs: [doc],
    properties: props.map((x) => ({ name: key(x.name), type: x.type, docs: x.doc ? [commentText(x.doc)] : [] })),
  });
  const gradsByOf = gradsGrouped(g);
  const out: (string | StatementStructures)[] = [p.header];
  out.push(iface("Dims", "Sizes of the symbolic dims, fixed per workspace.", g.dims.map((d) => ({ name: d, type: "number" }))));
  out.push(iface("Inputs", "Values supplied at run time.", g.inputs.map((d) => ({ name: d.name, type: typeOfValue(p, d.node), doc: describe(d.node) }))));
  out.push(iface("Params", "Trainable tensors.", g.params.map((d) => ({ name: d.name, type: typeOfValue(p, d.node), doc: describe(d.node) }))));
  out.push(iface("Outputs", "What the forward pass returns (arrays are the workspace's, overwritten by the next call).", [...g.outputs, ...g.losses].filter(unique).map((d) => ({ name: d.name, type: typeOfValue(p, d.node), doc: describe(d.node) }))));
  out.push(iface("Grads", "Gradients: grads[L][X] is dL/dX.", [...gradsByOf].map(([of, list]) => ({ name: of, type: `{ ${list.map((d) => `${key(d.wrt)}: ${typeOfValue(p, d.node!)}`).join("; ")} }` }))));
  out.push(iface("Workspace", "Every buffer a step needs, allocated once by createWorkspace.", [
    { name: "dims", type: "Dims" },
    { name: "outputs", type: "Outputs" },
    { name: "grads", type: "Grads" },
    { name: "scratch", type: "Float64Array", doc: "float64 accumulators of matmuls and reductions" },
    { name: "iscratch", type: "Int32Array", doc: "matmuls' lists of non-zeros" },
    ...p.memory.slots.map((s, i) => ({ name: p.slotNames[i]!, type: ARRAY[s.dtype], doc: `holds ${s.nodes.map((n) => `${p.label(n)}: ${describe(n)}`).join(", then ")}` })),
    ...(p.simd ? simdFields(p, p.simd) : []),
  ]));
  if (p.simd) out.push(...simdStatements(p.simd));
  for (const c of p.constants) {
    out.push({
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: c.name, initializer: `new ${ARRAY[p.dtypeOf(c.node)]}([${Array.from(c.node.value!.data).join(", ")}])` }],
    });
  }
  // the kernels as one printed block: ts-morph inserting one structure per kernel grew
  // superlinearly (20,000 kernels: ~3 s); the text is what it printed for each
  if (p.kernels.length > 0 && !p.simd) {
    // ts-morph sets a text statement after a variable statement without a blank line: add the one it gave functions
    const last = out[out.length - 1];
    const gap = typeof last === "object" && last.kind === StructureKind.VariableStatement ? "\n" : "";
    out.push(gap + p.kernels.map((k) => p.kernel(k)).join("\n\n"));
  }
  out.push(createWorkspace(p, gradsByOf));
  if (p.simd) out.push(workspaceBytes(p, p.simd));
  out.push(dimsOf(p));
  out.push(runner(p, "forward", "The forward pass: the outputs and losses, nothing else.", p.forwardKernels, "Outputs", "ws.outputs"));
  out.push(runner(p, "step", "The forward and backward pass in one schedule: outputs, losses and every gradient.", undefined, "Workspace", "ws"));
  out.push(`/** Names, dtypes, shapes (with symbolic dims), initializers and the source file. */\nexport const meta = ${p.meta} as const;`);
  return out;
}

const unique = (d: { name: string }, i: number, all: readonly { name: string }[]) => all.findIndex((x) => x.name === d.name) === i;

function describe(n: Node): string {
  const t = n.type.shape.length === 0 ? n.type.dtype : `${n.type.dtype}[${n.type.shape.join(", ")}]`;
  return t;
}

function createWorkspace(p: ModuleParts, gradsByOf: ReadonlyMap<string, readonly { wrt: string; node?: Node }[]>): StatementStructures {
  const init = (n: Node) => {
    const v = p.value(n);
    if (v.scalar) return "0";
    if (v.external) return `new ${ARRAY[p.dtypeOf(n)]}(0)`; // set by each call
    // the workspace's own array: the local createWorkspace made for its slot
    return p.slotNames[p.memory.slotOf.get(p.home(n).id)!]!;
  };
  const outputs = [...p.graph.outputs, ...p.graph.losses].filter(unique).map((d) => `${key(d.name)}: ${init(d.node)}`);
  const grads = [...gradsByOf].map(([of, list]) => `${key(of)}: { ${list.map((d) => `${key(d.wrt)}: ${init(d.node!)}`).join(", ")} }`);
  const sizeOf = (shape: Shape) => p.size(K.product(K.shapeExpr(shape)));
  return {
    kind: StructureKind.Function,
    name: "createWorkspace",
    isExported: true,
    docs: [p.simd ? "Allocates every buffer once (in a memory of its own, or where `place` says); step and forward then allocate nothing." : "Allocates every buffer once; step and forward then allocate nothing."],
    parameters: [{ name: "dims", type: "Dims" }, ...(p.simd ? [{ name: "place", hasQuestionToken: true, type: "Placement" }] : [])],
    returnType: "Workspace",
    statements: [
      ...[...p.dims].map(([d, name]) => `const ${name} = ${prop("dims", d)};`),
      ...(p.simd ? simdBuffers(p, p.simd) : p.memory.slots.map((s, i) => `const ${p.slotNames[i]} = new ${ARRAY[s.dtype]}(${sizeOf(s.shape)});`)),
      ...(p.simd
        ? []
        : [`const scratch = new Float64Array(${p.size(K.maxOf(p.kernels.map((k) => k.program.scratch)))});`, `const iscratch = new Int32Array(${p.size(K.maxOf(p.kernels.map((k) => k.program.intScratch)))});`]),
      `return {\n  dims,\n  outputs: { ${outputs.join(", ")} },\n  grads: { ${grads.join(", ")} },\n  scratch,\n  iscratch,${[...p.slotNames, ...(p.simd ? ["memory", "simd", "simdOut", ...p.simd.mirrors.map((m) => m.name), ...p.simd.constants.map((c) => c.name), ...p.simd.lists.map((l) => l.name)] : [])].map((n) => `\n  ${n},`).join("")}\n};`,
    ].filter((s) => s.length > 0),
  };
}

/** How many bytes of a memory createWorkspace(dims, place) takes from place.base: a trainer lays several workspaces (one per thread) in one shared memory. */
function workspaceBytes(p: ModuleParts, s: NonNullable<ModuleParts["simd"]>): StatementStructures {
  return {
    kind: StructureKind.Function,
    name: "workspaceBytes",
    isExported: true,
    docs: ["The bytes a workspace of these dims takes in the kernels' memory, from its placement's base (a multiple of 16)."],
    parameters: [{ name: "dims", type: "Dims" }],
    returnType: "number",
    statements: [...[...p.dims].map(([d, name]) => `const ${name} = ${prop("dims", d)};`), ...simdBytesNeeded(p, s)],
  };
}

function dimsOf(p: ModuleParts): StatementStructures {
  return {
    kind: StructureKind.Function,
    name: "dimsOf",
    isExported: true,
    docs: ["The dims implied by the lengths of the inputs (and params)."],
    parameters: [parameter(p.dimsOf.reads, "inputs", "Inputs"), parameter(p.dimsOf.reads, "params", "Params")],
    returnType: "Dims",
    statements: [...p.dimsOf.lines, p.dims.size > 0 ? `return { ${[...p.dims].map(([d, name]) => (d === name ? d : `${key(d)}: ${name}`)).join(", ")} };` : "return {};"],
  };
}

function runner(p: ModuleParts, name: string, doc: string, only: ReadonlySet<number> | undefined, returns: string, value: string): StatementStructures {
  const calls: string[] = [];
  // what this runner reads: the arrays its size checks, kernels and results name
  const reads = new Set<Source>();
  const read = (n: Node) => {
    const from = p.source(p.home(n));
    if (from) reads.add(from);
  };
  // every input and param array has a size check, even one no kernel reads
  if (p.graph.inputs.some((d) => d.node.type.shape.length > 0)) reads.add("inputs");
  if (p.graph.params.some((d) => d.node.type.shape.length > 0)) reads.add("params");
  for (const k of p.kernels) {
    if (only && !only.has(k.out.id)) continue;
    for (const a of k.program.params) if (a.kind === "array" || a.kind === "number") read(a.node);
    calls.push(p.simd ? wasmCall(p, k) : `${k.name}(${k.program.params.map((a) => argumentFor(p, k, a)).join(", ")});`);
  }
  const assign = (object: string, name: string, n: Node) => {
    const v = p.value(n);
    if (v.external) read(n);
    return v.scalar || v.external ? [`${prop(object, name)} = ${v.code};`] : [];
  };
  const g = p.graph;
  const results = [
    ...[...g.outputs, ...g.losses].filter(unique).filter((d) => !only || only.has(d.node.id) || p.value(d.node).external || p.value(d.node).scalar).flatMap((d) => assign("ws.outputs", d.name, d.node)),
    ...(only ? [] : g.grads.flatMap((d) => assign(prop("ws.grads", d.of), d.wrt, d.node!))),
  ];
  return {
    kind: StructureKind.Function,
    name,
    isExported: true,
    docs: [doc],
    parameters: [{ name: "ws", type: "Workspace" }, parameter(reads, "inputs", "Inputs"), parameter(reads, "params", "Params")],
    returnType: returns,
    statements: [
      ...[...p.dims].map(([d, name]) => `const ${name} = ${prop("ws.dims", d)};`),
      ...p.sizeChecks,
      ...mirrorCopies(p, only),
      ...inputLists(p, only),
      ...calls,
      ...results,
      `return ${value};`,
    ],
  };
}

/** A kernel of a --simd module, called in WebAssembly: arrays by their byte offsets in its memory, then the constants it reads. */
function wasmCall(p: ModuleParts, k: EmittedKernel): string {
  const args = k.program.params.filter((a) => a.kind !== "simd").map((a) => (a.kind === "dim" || a.kind === "number" ? argumentFor(p, k, a) : `${argumentFor(p, k, a)}.byteOffset`));
  const constants = (p.simd!.constantsOf.get(k.name) ?? []).map((c) => `ws.${c}.byteOffset`);
  return `${prop("ws.simd", k.name)}(${[...args, ...constants].join(", ")});`;
}

/** What a runner passes for a kernel's parameter. */
function argumentFor(p: ModuleParts, k: EmittedKernel, a: KernelParam): string {
  switch (a.kind) {
    case "nonzeros":
      return `ws.${p.simd!.lists.find((l) => l.node === a.node)!.name}`;
    case "array":
    case "number":
      return p.argument(a.node, k);
    case "dim":
      return p.dims.get(a.name)!;
    default:
      return `ws.${a.kind}`;
  }
}
