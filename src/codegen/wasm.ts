/**
 * A small WebAssembly writer: functions written as folded instruction trees (the WAT
 * text format's S-expressions) become both the binary module and its WAT listing, from
 * one description, so the listing printed into a generated module is exactly what runs.
 * It knows the few instructions the SIMD kernels use (test/codegen/wasm.test.ts checks
 * its bytes against wabt's assembly of the listing).
 */

import { commentText } from "./escape.js";
export type ValType = "i32" | "f32" | "f64" | "v128";

/** `["op", immediates…, operands…]`: immediates are numbers, `$names`, `{ offset }` and an if's `{ result }`. */
export type Instr = readonly [string, ...(Instr | Imm)[]];
export type Imm = string | number | { readonly offset: number } | { readonly result: ValType };
const isImm = (x: Instr | Imm): x is Imm => !Array.isArray(x);

/** The few tree builders every kernel uses: read and set a local, an i32 constant, an i32 sum. */
export const get = (n: string): Instr => ["local.get", n];
export const set = (n: string, v: Instr): Instr => ["local.set", n, v];
export const i32 = (v: number): Instr => ["i32.const", v];
export const add = (a: Instr, b: Instr): Instr => ["i32.add", a, b];

export interface WasmFunction {
  /** its export's name, and its `$id` in the listing unless `id` is given */
  readonly name: string;
  /** its `$id` in the listing (ASCII), when the export's name is not one */
  readonly id?: string;
  /** exported under `name` (default true); a function only other functions call is not */
  readonly exported?: boolean;
  readonly result?: ValType;
  readonly params: readonly (readonly [string, ValType])[];
  readonly locals: readonly (readonly [string, ValType])[];
  readonly body: readonly Instr[];
  /** a comment printed above the function in the listing */
  readonly doc?: string;
}

/** A function the module imports, as `(import "Math" "exp" (func $Math_exp (param f64) (result f64)))`. */
export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly id: string;
  readonly params: readonly ValType[];
  readonly result?: ValType;
}

const idOf = (f: WasmFunction): string => f.id ?? `$${f.name}`;

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Opcodes: a byte, or [0xfc | 0xfd, sub-opcode] for the prefixed ones. */
const OPCODES: Record<string, number | readonly [number, number]> = {
  "call": 0x10, "select": 0x1b, "local.get": 0x20, "local.set": 0x21, "local.tee": 0x22, "global.get": 0x23,
  "i32.const": 0x41, "f32.const": 0x43, "f64.const": 0x44,
  "i32.load": 0x28, "f32.load": 0x2a, "f64.load": 0x2b, "i32.load8_u": 0x2d, "i32.store": 0x36, "f32.store": 0x38, "f64.store": 0x39,
  "i32.eqz": 0x45, "i32.eq": 0x46, "i32.ne": 0x47, "i32.lt_s": 0x48, "i32.lt_u": 0x49, "i32.gt_s": 0x4a, "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c, "i32.ge_s": 0x4e, "i32.ge_u": 0x4f,
  "f32.eq": 0x5b, "f32.ne": 0x5c,
  "f64.eq": 0x61, "f64.ne": 0x62, "f64.lt": 0x63, "f64.gt": 0x64, "f64.le": 0x65, "f64.ge": 0x66,
  "i32.ctz": 0x68, "i32.popcnt": 0x69, "i32.add": 0x6a, "i32.sub": 0x6b, "i32.mul": 0x6c, "i32.and": 0x71, "i32.or": 0x72, "i32.shl": 0x74, "i32.shr_u": 0x76,
  "f32.add": 0x92, "f32.sub": 0x93, "f32.mul": 0x94,
  "f64.abs": 0x99, "f64.neg": 0x9a, "f64.sqrt": 0x9f, "f64.add": 0xa0, "f64.sub": 0xa1, "f64.mul": 0xa2, "f64.div": 0xa3, "f64.min": 0xa4, "f64.max": 0xa5,
  "f32.demote_f64": 0xb6, "f64.convert_i32_s": 0xb7, "f64.promote_f32": 0xbb,
  "br": 0x0c, "br_if": 0x0d,
  "i32.trunc_sat_f64_s": [0xfc, 2], "memory.fill": [0xfc, 11],
  "v128.load": [0xfd, 0x00], "v128.store": [0xfd, 0x0b], "v128.const": [0xfd, 0x0c], "i8x16.swizzle": [0xfd, 0x0e],
  "i32x4.splat": [0xfd, 0x11], "i32x4.add": [0xfd, 0xae], "i8x16.shuffle": [0xfd, 0x0d], "f64x2.splat": [0xfd, 0x14],
  "f32x4.demote_f64x2_zero": [0xfd, 0x5e], "f64x2.promote_low_f32x4": [0xfd, 0x5f],
  "f64x2.sqrt": [0xfd, 0xef], "f64x2.add": [0xfd, 0xf0], "f64x2.sub": [0xfd, 0xf1], "f64x2.mul": [0xfd, 0xf2], "f64x2.div": [0xfd, 0xf3],
  "f32x4.splat": [0xfd, 0x13], "f32x4.ne": [0xfd, 0x42], "v128.any_true": [0xfd, 0x53], "i32x4.bitmask": [0xfd, 0xa4], "f32x4.add": [0xfd, 0xe4], "f32x4.sub": [0xfd, 0xe5], "f32x4.mul": [0xfd, 0xe6],
  "f32x4.div": [0xfd, 0xe7], "i16x8.extend_low_i8x16_u": [0xfd, 0x89], "i16x8.extend_high_i8x16_u": [0xfd, 0x8a],
  "i32x4.extend_low_i16x8_u": [0xfd, 0xa9], "i32x4.extend_high_i16x8_u": [0xfd, 0xaa], "f32x4.convert_i32x4_u": [0xfd, 0xfb],
};

/** log2 of the natural alignment of each memory access. */
const ALIGN: Record<string, number> = { "i32.load8_u": 0, "i32.load": 2, "f32.load": 2, "f64.load": 3, "i32.store": 2, "f32.store": 2, "f64.store": 3, "v128.load": 4, "v128.store": 4 };

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const vec = (items: readonly number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** The largest memory a module's import accepts: 65,536 pages of 64 KiB, all of wasm32's 4 GiB. */
export const MAX_PAGES = 65536;

/** The limits byte of the memory import: 1 = a maximum follows; 3 = a maximum follows and the memory is shared. */
const LIMITS = { own: 0x01, shared: 0x03 } as const;

export interface WasmModuleOptions {
  /** the memory it imports is shared between threads (a SharedArrayBuffer); the binaries differ only in the byte at memoryLimitsAt */
  readonly shared?: boolean;
  /** immutable i32 globals it imports from env, after the memory (`$list`: where an instance keeps its scratch) */
  readonly globals?: readonly string[];
  /** functions it imports, after the globals (Math's exp, log, tanh, pow for the kernels) */
  readonly imports?: readonly WasmImport[];
}

const signature = (params: readonly ValType[], result?: ValType): number[] => [0x60, ...vec(params.map((t) => [VALTYPE[t]])), ...vec(result ? [[VALTYPE[result]]] : [])];

/** The binary of a module that imports its memory as env.memory (at most MAX_PAGES), and its globals, and exports each function. */
export function wasmBinary(fns: readonly WasmFunction[], o: WasmModuleOptions = {}): Uint8Array<ArrayBuffer> {
  const shared = o.shared === true;
  const globals = o.globals ?? [];
  const imports = o.imports ?? [];
  // one type per distinct signature, in order of first use (as assemblers do): the imports' first
  const all = [...imports.map((f) => signature(f.params, f.result)), ...fns.map((f) => signature(f.params.map(([, t]) => t), f.result))];
  const keys = [...new Set(all.map((t) => t.join(",")))];
  const types = keys.map((k) => k.split(",").map(Number));
  const typeOf = (i: number) => uleb(keys.indexOf(all[i]!.join(",")));
  const memory = [...uleb(3), ...utf8("env"), ...uleb(6), ...utf8("memory"), 0x02, shared ? LIMITS.shared : LIMITS.own, 0x00, ...uleb(MAX_PAGES)];
  const globalImports = globals.map((g) => [...uleb(3), ...utf8("env"), ...uleb(utf8(g.slice(1)).length), ...utf8(g.slice(1)), 0x03, VALTYPE.i32, 0x00]);
  const fnImports = imports.map((f, i) => [...uleb(utf8(f.module).length), ...utf8(f.module), ...uleb(utf8(f.name).length), ...utf8(f.name), 0x00, ...typeOf(i)]);
  // functions are numbered after the imported ones
  const index = new Map([...imports.map((f) => f.id), ...fns.map(idOf)].map((id, i) => [id, i]));
  // a name's length is its UTF-8 byte count, not its UTF-16 length
  const exports = fns.filter((f) => f.exported !== false).map((f) => [...uleb(utf8(f.name).length), ...utf8(f.name), 0x00, ...uleb(index.get(idOf(f))!)]);
  const bodies = fns.map((f) => {
    const code = [...vec(runs(f.locals.map(([, t]) => t)).map(([n, t]) => [...uleb(n), VALTYPE[t]])), ...encodeBody(f, globals, index), 0x0b];
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memory, ...globalImports, ...fnImports])),
    ...section(3, vec(fns.map((_, i) => typeOf(imports.length + i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

/** Where wasmBinary(fns) writes the memory import's limits byte: set to 3 there, the binary imports a shared memory. */
export function memoryLimitsAt(fns: readonly WasmFunction[], globals: readonly string[] = [], imports: readonly WasmImport[] = []): number {
  const own = wasmBinary(fns, { globals, imports });
  const shared = wasmBinary(fns, { globals, imports, shared: true });
  const at = own.findIndex((b, i) => b !== shared[i]);
  if (at < 0 || own[at] !== LIMITS.own) internalError("the memory import's limits byte was not found");
  return at;
}

/** Consecutive locals of one type, as (count, type) runs. */
function runs(types: readonly ValType[]): [number, ValType][] {
  const out: [number, ValType][] = [];
  for (const t of types) {
    const last = out[out.length - 1];
    if (last && last[1] === t) last[0]++;
    else out.push([1, t]);
  }
  return out;
}

function encodeBody(f: WasmFunction, globals: readonly string[], functions: ReadonlyMap<string, number>): number[] {
  const locals = new Map([...f.params, ...f.locals].map(([name], i) => [name, i]));
  const indices = new Map(globals.map((g, i) => [g, i]));
  const labels: string[] = [];
  const out: number[] = [];
  const emit = (ins: Instr): void => {
    const [op, ...rest] = ins;
    const operands = rest.filter((x): x is Instr => Array.isArray(x));
    const imms = rest.filter(isImm);
    if (op === "comment") return;
    if (op === "block" || op === "loop") {
      labels.push(imms[0] as string);
      out.push(op === "block" ? 0x02 : 0x03, 0x40);
      operands.forEach(emit);
      out.push(0x0b);
      labels.pop();
      return;
    }
    if (op === "if") {
      const [cond, then, otherwise] = operands as [Instr, Instr, Instr | undefined];
      const result = imms.find((x): x is { result: ValType } => typeof x === "object" && "result" in x);
      emit(cond);
      labels.push("");
      out.push(0x04, result ? VALTYPE[result.result] : 0x40);
      (then.slice(1) as Instr[]).forEach(emit);
      if (otherwise) {
        out.push(0x05);
        (otherwise.slice(1) as Instr[]).forEach(emit);
      }
      out.push(0x0b);
      labels.pop();
      return;
    }
    operands.forEach(emit);
    const code = OPCODES[op];
    if (code === undefined) throw new Error(`internal error: the wasm writer has no instruction ${op}`);
    out.push(...(typeof code === "number" ? [code] : [code[0], ...uleb(code[1])]));
    if (op === "call") {
      out.push(...uleb(functions.get(imms[0] as string) ?? internalError(`no function ${String(imms[0])}`)));
      return;
    }
    for (const imm of imms) out.push(...immediate(op, imm, op === "global.get" ? indices : locals, labels));
    if (ALIGN[op] !== undefined && !imms.some((x) => typeof x === "object")) out.push(...uleb(ALIGN[op]!), 0);
    if (op === "memory.fill") out.push(0x00);
  };
  f.body.forEach(emit);
  return out;
}

function immediate(op: string, imm: Imm, locals: ReadonlyMap<string, number>, labels: readonly string[]): number[] {
  if (typeof imm === "object") return "offset" in imm ? [...uleb(ALIGN[op]!), ...uleb(imm.offset)] : internalError(`${op} takes no block type`);
  if (op.startsWith("local.") || op === "global.get") return uleb(locals.get(imm as string) ?? internalError(`no local or global ${imm}`));
  if (op === "br" || op === "br_if") return uleb(labels.length - 1 - labels.lastIndexOf(imm as string));
  if (op === "i32.const") return sleb(imm as number);
  if (op === "f32.const") return [...new Uint8Array(Float32Array.of(imm as number).buffer)];
  if (op === "f64.const") return [...new Uint8Array(Float64Array.of(imm as number).buffer)];
  if (op === "v128.const") return v128Bytes(imm as string);
  if (op === "i8x16.shuffle") return [imm as number]; // one lane index per immediate
  return internalError(`${op} takes no immediate ${String(imm)}`);
}

/** The 16 bytes of a `v128.const` written `i32x4 a b c d` (the only shape the kernels use), little-endian lanes. */
function v128Bytes(text: string): number[] {
  const [shape, ...lanes] = text.split(" ");
  if (shape !== "i32x4" || lanes.length !== 4) return internalError(`v128.const ${text}`);
  return [...new Uint8Array(Int32Array.from(lanes, Number).buffer)];
}

/** `(v128.const i32x4 a b c d)`'s immediate. */
export const i32x4 = (lanes: readonly number[]): string => `i32x4 ${lanes.join(" ")}`;

function internalError(message: string): never {
  throw new Error(`internal error: ${message}`);
}

/** The WAT listing of the same module, one instruction tree a line where it fits. */
export function wasmText(fns: readonly WasmFunction[], globals: readonly string[] = [], imports: readonly WasmImport[] = []): string {
  const lines = [
    "(module",
    `  (import "env" "memory" (memory 0 ${MAX_PAGES}))`,
    ...globals.map((g) => `  (import "env" "${g.slice(1)}" (global ${g} i32))`),
    ...imports.map((f) => `  (import ${watString(f.module)} ${watString(f.name)} (func ${f.id}${f.params.map((t) => ` (param ${t})`).join("")}${f.result ? ` (result ${f.result})` : ""}))`),
  ];
  for (const f of fns) {
    if (f.doc) lines.push(...f.doc.split("\n").map((l) => `  ;; ${commentText(l)}`));
    const params = f.params.map(([n, t]) => `(param ${n} ${t})`).join(" ");
    const exported = f.exported === false ? "" : ` (export ${watString(f.name)})`;
    lines.push(`  (func ${idOf(f)}${exported} ${params}${f.result ? ` (result ${f.result})` : ""}`);
    if (f.locals.length > 0) lines.push(`    ${f.locals.map(([n, t]) => `(local ${n} ${t})`).join(" ")}`);
    for (const ins of f.body) lines.push(...printTree(ins, "    "));
    lines.push("  )");
  }
  lines.push(")");
  return lines.join("\n");
}

/** A WAT string: its UTF-8 bytes, those outside printable ASCII (and the quote and backslash) as \hh escapes. */
function watString(s: string): string {
  return `"${utf8(s).map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, "0")}`)).join("")}"`;
}

function printTree(ins: Instr, pad: string): string[] {
  const [op, ...rest] = ins;
  if (op === "comment") return [`${pad};; ${commentText(String(rest[0]))}`];
  const flat = printFlat(ins);
  const block = op === "block" || op === "loop" || op === "if" || op === "then" || op === "else";
  if (!block && flat.length + pad.length <= 120) return [pad + flat];
  const head = [op, ...rest.filter(isImm).map((x) => printImm(x, op))].join(" ");
  const kids = rest.filter((x): x is Instr => Array.isArray(x));
  return [`${pad}(${head}`, ...kids.flatMap((k) => printTree(k, pad + "  ")), `${pad})`];
}

function printFlat(ins: Instr): string {
  const [op, ...rest] = ins;
  return `(${[op, ...rest.map((x) => (isImm(x) ? printImm(x, op) : printFlat(x)))].join(" ")})`;
}

function printImm(x: Imm, op: string): string {
  if (typeof x === "object") return "offset" in x ? `offset=${x.offset}` : `(result ${x.result})`;
  // WAT writes the non-finite floats inf, -inf and nan, and keeps the sign of −0
  if (typeof x === "number" && (op === "f32.const" || op === "f64.const")) return Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : Object.is(x, -0) ? "-0" : String(x);
  return String(x);
}
