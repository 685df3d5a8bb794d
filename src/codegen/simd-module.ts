/**
 * What a `--simd` module adds around its WebAssembly kernels: the compiled module (its
 * bytes inline, its WAT listing in the comment above them), the workspace's buffers
 * laid out in the kernels' memory at 16-byte aligned offsets, and the copies of the
 * inputs and params they read into that memory before the kernels run. The module
 * still imports nothing: WebAssembly is a global of every JavaScript engine.
 */
import { StructureKind, VariableDeclarationKind, type StatementStructures } from "ts-morph";
import type { ModuleParts } from "./module.js";
import type { Shape } from "../tensor/types.js";
import type { Node } from "../graph/ir.js";
import * as K from "../kernel/ir.js";
import { ARRAY, key, Names, prop } from "./names.js";
import { listInts, SIMD_GLOBALS } from "./simd.js";
import { MAX_PAGES, memoryLimitsAt, wasmBinary, wasmText, type WasmFunction } from "./wasm.js";

type Simd = NonNullable<ModuleParts["simd"]>;

const BYTES = { f32: 4, i32: 4, f64: 8 } as const;

export function simdFields(p: ModuleParts, s: Simd): { name: string; type: string; doc: string }[] {
  return [
    { name: "memory", type: "WasmMemory", doc: "the memory that holds every buffer: the workspace's own, or the one createWorkspace was given" },
    { name: "simd", type: "SimdKernels", doc: "the WebAssembly kernels, over that memory" },
    { name: "simdOut", type: "Float32Array", doc: "WebAssembly matmuls' results that an epilogue reads" },
    ...s.mirrors.map((m) => ({ name: m.name, type: ARRAY[p.dtypeOf(m.node)], doc: `${p.label(m.node)}${m.transposed ? " transposed" : ""}, copied where the WebAssembly kernels read it` })),
    ...s.constants.map((c) => ({ name: c.name, type: ARRAY[p.dtypeOf(c.node)], doc: `the constant ${c.constant}, where the WebAssembly kernels read it` })),
    ...s.lists.map((l) => ({ name: l.name, type: "Int32Array", doc: `the non-zeros of ${p.label(l.node)}, listed by ${l.fn} for the matmuls that read it` })),
  ];
}

/** The globals a --simd module uses, declared in it so that it type-checks with the ES library alone. */
const GLOBALS = `/** A WebAssembly memory: a workspace's own, or one shared between threads (its buffer then a SharedArrayBuffer). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The part of the WebAssembly API this module uses (a global of every JavaScript engine). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  Instance: new (module: object, imports: object) => { readonly exports: object };
};
declare function atob(base64: string): string;

/** Where createWorkspace lays out a workspace: in this memory, from byte \`base\` (a multiple of 16), workspaceBytes(dims) bytes. */
export interface Placement {
  readonly memory: WasmMemory;
  readonly base: number;
}`;

export function simdStatements(s: Simd): (string | StatementStructures)[] {
  const { functions, imports } = s;
  const bytes = base64(wasmBinary(functions, { globals: SIMD_GLOBALS, imports }));
  const exported = functions.filter((f) => f.exported !== false);
  return [
    GLOBALS,
    {
      kind: StructureKind.Interface,
      name: "SimdKernels",
      isExported: true,
      docs: ["The kernels, in WebAssembly: each array by its byte offset in the memory, then the dims and scalars it reads."],
      methods: exported.map((f) => {
        const names = new Names();
        return { name: key(f.name), parameters: f.params.map(([n]) => ({ name: names.name(n.slice(1)), type: "number" })), returnType: "void" };
      }),
    },
    {
      kind: StructureKind.Function,
      name: "align16",
      docs: ["Bytes rounded up to a multiple of 16, so every buffer starts on a vector boundary."],
      parameters: [{ name: "bytes", type: "number" }],
      returnType: "number",
      statements: ["return Math.ceil(bytes / 16) * 16;"],
    },
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`The WebAssembly module: every kernel (${exported.length}) and the matmuls they call (${functions.length - exported.length}); its text:\n\n${wasmText(functions, SIMD_GLOBALS, imports)}`],
      declarations: [{ name: "simdBytes", initializer: `Uint8Array.from(atob(\n  ${chunks(bytes, 100).map((c) => `"${c}"`).join(" +\n  ")},\n), (c) => c.charCodeAt(0))` }],
    },
    `/** The memory import's limits byte: 1 imports a memory of its own, 3 one shared between threads (\`(memory 0 ${MAX_PAGES} shared)\`). */
const MEMORY_LIMITS_AT = ${memoryLimitsAt(functions, SIMD_GLOBALS, imports)};
/** The kernels compiled once for each kind of memory: [own, shared]. */
const simdModules: (object | undefined)[] = [undefined, undefined];

function simdModule(shared: boolean): object {
  const i = shared ? 1 : 0;
  if (simdModules[i] === undefined) {
    simdBytes[MEMORY_LIMITS_AT] = shared ? 3 : 1;
    simdModules[i] = new WebAssembly.Module(simdBytes);
  }
  return simdModules[i]!;
}`,
    {
      kind: StructureKind.Function,
      name: "inMemory",
      docs: ["The array the WebAssembly kernels read: `a` itself when it lives in their memory, else its copy in `own`."],
      typeParameters: [{ name: "A", constraint: "Float32Array | Float64Array | Int32Array" }],
      parameters: [{ name: "memory", type: "WasmMemory" }, { name: "a", type: "A" }, { name: "own", type: "A" }],
      returnType: "A",
      statements: ["if (a.buffer === memory.buffer) return a;", "own.set(a);", "return own;"],
    },
  ];
}

/** Bytes as base64, with what every engine has (btoa; no Node Buffer: the playground emits modules in the page). */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function chunks(s: string, n: number): string[] {
  return Array.from({ length: Math.ceil(s.length / n) }, (_, i) => s.slice(i * n, (i + 1) * n));
}

/** The buffers of a --simd workspace, in the order they are laid out in the kernels' memory. */
function buffers(p: ModuleParts, s: Simd) {
  return [
    ...p.memory.slots.map((slot, i) => ({ name: p.slotNames[i]!, array: ARRAY[slot.dtype], size: elements(slot.shape), bytes: BYTES[slot.dtype] })),
    ...s.mirrors.map((m) => ({ name: m.name, array: ARRAY[p.dtypeOf(m.node)], size: elements(m.node.type.shape), bytes: BYTES[p.dtypeOf(m.node)] })),
    ...s.constants.map((c) => ({ name: c.name, array: ARRAY[p.dtypeOf(c.node)], size: elements(c.node.type.shape), bytes: BYTES[p.dtypeOf(c.node)] })),
    ...s.lists.map((l) => ({ name: l.name, array: "Int32Array", size: listInts(l.rows, l.K), bytes: 4 })),
    { name: "simdOut", array: "Float32Array", size: K.maxOf(p.kernels.map((k) => k.program.simdOut)), bytes: 4 },
    { name: "scratch", array: "Float64Array", size: K.maxOf(p.kernels.map((k) => k.program.scratch)), bytes: 8 },
    { name: "iscratch", array: "Int32Array", size: K.maxOf(p.kernels.map((k) => k.program.intScratch)), bytes: 4 },
  ];
}

/** `const at_h = base + 6272;` … `const end = …;`: where each buffer starts, from `base`, and where the last ends. */
function offsets(p: ModuleParts, s: Simd): { lines: string[]; at: Map<string, string> } {
  const list = buffers(p, s);
  const lines = [`// from base: ${Math.ceil(s.listBytes / 16) * 16} bytes for a row's list of non-zeros, then every buffer, 16-byte aligned`];
  let at = `base + ${Math.ceil(s.listBytes / 16) * 16}`;
  const scope = p.names.child(); // a fresh scope per function: the same names in createWorkspace and workspaceBytes
  const names = new Map(list.map((b) => [b.name, scope.name(`at_${b.name}`)]));
  for (const b of list) {
    lines.push(`const ${names.get(b.name)} = ${at};`);
    at = `${names.get(b.name)} + align16(${p.size(K.mul(b.size, K.num(b.bytes)))})`;
  }
  lines.push(`const end = ${at};`);
  return { lines, at: names };
}

/** createWorkspace's buffers as views of one WebAssembly memory (its own, or the placement's), and the kernels' instance. */
export function simdBuffers(p: ModuleParts, s: Simd): string[] {
  const { lines, at } = offsets(p, s);
  return [
    "const base = place === undefined ? 0 : place.base;",
    ...lines,
    `const memory = place === undefined ? new WebAssembly.Memory({ initial: Math.ceil(end / 65536) + 1, maximum: ${MAX_PAGES} }) : place.memory;`,
    'const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;',
    `const simd = new WebAssembly.Instance(simdModule(shared), { env: { memory, list: base }${s.imports.length > 0 ? ", Math" : ""} }).exports as unknown as SimdKernels;`,
    ...buffers(p, s).map((b) => `const ${b.name} = new ${b.array}(memory.buffer, ${at.get(b.name)}, ${p.size(b.size)});`),
    ...s.constants.map((c) => `${c.name}.set(${c.constant});`),
  ];
}

/** The body of workspaceBytes(dims): the bytes a workspace takes in the kernels' memory. */
export function simdBytesNeeded(p: ModuleParts, s: Simd): string[] {
  return ["const base = 0;", ...offsets(p, s).lines, "return end;"];
}

const elements = (shape: Shape): K.Expr => K.product(K.shapeExpr(shape));

/**
 * `const x_in = inMemory(ws.memory, inputs.x, ws.x_wasm);` for each input or param a kernel of
 * this runner reads in WebAssembly: read in place when the caller's array lives in the kernels'
 * memory (a trainer keeps params and batches there: no copy per step), else copied; a
 * transposed operand is always written into its buffer.
 */
export function mirrorCopies(p: ModuleParts, only: ReadonlySet<number> | undefined): string[] {
  if (!p.simd) return [];
  const used = new Set(p.kernels.filter((k) => !only || only.has(k.out.id)).flatMap((k) => k.program.wasmOperands.map((o) => `${o.node.id}${o.transposed}`)));
  return p.simd.mirrors.filter((m) => used.has(`${m.node.id}${m.transposed}`)).map((m) => {
    const to = prop("ws", m.name);
    const from = p.argument(m.node);
    if (!m.transposed) return `const ${m.local} = inMemory(ws.memory, ${from}, ${to});`;
    const [r, c] = m.node.type.shape as [number, number];
    return `for (let i = 0; i < ${r}; i++) {\n  for (let j = 0; j < ${c}; j++) ${to}[j * ${r} + i] = ${from}[i * ${c} + j]!;\n}`;
  });
}

/**
 * `ws.simd.nonzeros_x(x_in.byteOffset, ws.x_nonzeros.byteOffset, N);` for each input or param whose
 * non-zeros a kernel of this runner reads: listed once, before the kernels run (a node a kernel
 * computes is listed by that kernel).
 */
export function inputLists(p: ModuleParts, only: ReadonlySet<number> | undefined): string[] {
  if (!p.simd) return [];
  const read = new Set(p.kernels.filter((k) => !only || only.has(k.out.id)).flatMap((k) => k.program.params.flatMap((a) => (a.kind === "nonzeros" ? [a.node] : []))));
  const local = (n: Node) => p.simd!.mirrors.find((m) => m.node === n && !m.transposed)?.local;
  return p.simd.lists
    .filter((l) => read.has(l.node) && local(l.node) !== undefined)
    .map((l) => `${prop("ws.simd", l.fn)}(${local(l.node)}.byteOffset, ws.${l.name}.byteOffset, ${p.size(l.rows)});`);
}
