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
import * as K from "../kernel/ir.js";
import { ARRAY, prop } from "./names.js";
import { wasmBinary, wasmText, type WasmFunction } from "./wasm.js";

type Simd = NonNullable<ModuleParts["simd"]>;

const BYTES = { f32: 4, i32: 4, f64: 8 } as const;

export function simdFields(p: ModuleParts, s: Simd): { name: string; type: string; doc: string }[] {
  return [
    { name: "simd", type: "SimdKernels", doc: "the WebAssembly kernels, over the memory that holds every buffer" },
    { name: "simdOut", type: "Float32Array", doc: "WebAssembly matmuls' results that an epilogue reads" },
    ...s.mirrors.map((m) => ({ name: m.name, type: ARRAY[p.dtypeOf(m.node)], doc: `${p.label(m.node)}${m.transposed ? " transposed" : ""}, copied where the WebAssembly kernels read it` })),
  ];
}

/** The globals a --simd module uses, declared in it so that it type-checks with the ES library alone. */
const GLOBALS = `/** The part of the WebAssembly API this module uses (a global of every JavaScript engine). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { readonly exports: object };
};
declare function atob(base64: string): string;`;

export function simdStatements(functions: readonly WasmFunction[]): (string | StatementStructures)[] {
  const bytes = Buffer.from(wasmBinary(functions)).toString("base64");
  return [
    GLOBALS,
    {
      kind: StructureKind.Interface,
      name: "SimdKernels",
      isExported: true,
      docs: ["The WebAssembly kernels: byte offsets of A, B and C in the memory, and the row count."],
      methods: functions.map((f) => ({ name: f.name, parameters: f.params.map(([n]) => ({ name: n.slice(1), type: "number" })), returnType: "void" })),
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
      docs: [`The WebAssembly kernels (${functions.length}), compiled once; their text:\n\n${wasmText(functions)}`],
      declarations: [{ name: "simdModule", initializer: `new WebAssembly.Module(Uint8Array.from(atob(\n  ${chunks(bytes, 100).map((c) => `"${c}"`).join(" +\n  ")},\n), (c) => c.charCodeAt(0)))` }],
    },
  ];
}

function chunks(s: string, n: number): string[] {
  return Array.from({ length: Math.ceil(s.length / n) }, (_, i) => s.slice(i * n, (i + 1) * n));
}

/** createWorkspace's buffers as views of one WebAssembly memory, and the kernels' instance. */
export function simdBuffers(p: ModuleParts, s: Simd): string[] {
  const buffers = [
    ...p.memory.slots.map((slot, i) => ({ name: p.slotNames[i]!, array: ARRAY[slot.dtype], size: elements(slot.shape), bytes: BYTES[slot.dtype] })),
    ...s.mirrors.map((m) => ({ name: m.name, array: ARRAY[p.dtypeOf(m.node)], size: elements(m.node.type.shape), bytes: BYTES[p.dtypeOf(m.node)] })),
    { name: "simdOut", array: "Float32Array", size: K.maxOf(p.kernels.map((k) => k.program.simdOut)), bytes: 4 },
  ];
  const lines = [`// every buffer lives in the WebAssembly kernels' memory, 16-byte aligned, after ${s.listBytes} bytes for a row's list of non-zeros`];
  let at = String(Math.ceil(s.listBytes / 16) * 16);
  const offsets = new Map(buffers.map((b) => [b.name, p.names.name(`at_${b.name}`)]));
  for (const b of buffers) {
    lines.push(`const ${offsets.get(b.name)} = ${at};`);
    at = `${offsets.get(b.name)} + align16(${p.size(K.mul(b.size, K.num(b.bytes)))})`;
  }
  lines.push(
    `const memory = new WebAssembly.Memory({ initial: Math.ceil((${at}) / 65536) + 1 });`,
    "const simd = new WebAssembly.Instance(simdModule, { env: { memory } }).exports as unknown as SimdKernels;",
    ...buffers.map((b) => `const ${b.name} = new ${b.array}(memory.buffer, ${offsets.get(b.name)}, ${p.size(b.size)});`),
  );
  return lines;
}

const elements = (shape: Shape): K.Expr => K.product(K.shapeExpr(shape));

/** `ws.x_wasm.set(inputs.x);` for each input or param a kernel of this runner reads in WebAssembly. */
export function mirrorCopies(p: ModuleParts, only: ReadonlySet<number> | undefined): string[] {
  if (!p.simd) return [];
  const used = new Set(p.kernels.filter((k) => !only || only.has(k.out.id)).flatMap((k) => k.program.wasmOperands.map((o) => `${o.node.id}${o.transposed}`)));
  return p.simd.mirrors.filter((m) => used.has(`${m.node.id}${m.transposed}`)).map((m) => {
    const to = prop("ws", m.name);
    const from = p.argument(m.node);
    if (!m.transposed) return `${to}.set(${from});`;
    const [r, c] = m.node.type.shape as [number, number];
    return `for (let i = 0; i < ${r}; i++) {\n  for (let j = 0; j < ${c}; j++) ${to}[j * ${r} + i] = ${from}[i * ${c} + j]!;\n}`;
  });
}
