/**
 * Random well-typed `.graph` programs, seeded and reproducible: inputs and params of
 * small shapes (some with the symbolic dim N), then a chain of statements that pick
 * ops whose operand shapes agree (broadcasting, reductions, matmul, shape ops, user
 * fns, fan-out), ending in a scalar whose gradient is asked for every input and param.
 * Domains are kept safe by construction: log and sqrt see positive values.
 */
import { Random } from "../../src/tensor/random.js";

type Shape = readonly (number | "N")[];
interface Value {
  readonly name: string;
  readonly shape: Shape;
}

const same = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

export interface RandomGraph {
  readonly text: string;
  readonly seed: number;
}

/**
 * Names no generated module may trip over: JavaScript globals, reserved words,
 * Object.prototype members, the names generated modules and their kernels use
 * themselves, the language's own statement words, Unicode letters that are not
 * JavaScript identifier characters (U+2E2F), and Unicode letters of other scripts.
 */
export const HOSTILE_NAMES = [
  "Math", "Object", "Array", "Number", "Float32Array", "Float64Array", "Int32Array", "Uint8Array", "NaN", "Infinity", "undefined",
  "globalThis", "eval", "arguments", "WebAssembly", "atob", "JSON", "Symbol", "Error", "RangeError", "console", "process", "require",
  "constructor", "__proto__", "prototype", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf",
  "dims", "inputs", "params", "outputs", "grads", "scratch", "iscratch", "ws", "meta", "createWorkspace", "dimsOf", "forward", "step",
  "simd", "simdOut", "simdModule", "memory", "align16", "Dims", "Inputs", "Params", "Outputs", "Grads", "Workspace", "SimdKernels",
  "i", "j", "k", "i0", "i1", "i2", "c0", "c1", "o", "p", "q", "r", "a", "b", "c", "at", "nz", "row", "acc", "total", "scale",
  "rowMax", "expSum", "lse", "label", "best", "base", "src", "value", "isFirst", "v", "t0", "x_wasm",
  "true", "false", "null", "class", "new", "function", "let", "var", "yield", "await", "async", "static", "enum", "delete", "in", "of",
  "dim", "input", "param", "output", "loss", "grad", "wrt", "fn", "const", "사과", "xⸯ", "ʹ", "_", "ǅ",
];

export interface RandomGraphOptions {
  /** draw every name (dim, inputs, params, nodes, fn and its parameters, loss) from HOSTILE_NAMES */
  readonly hostile?: boolean;
  /** draw every name as random letters of many scripts (Latin, Greek, Cyrillic, Hangul, CJK, Glagolitic, Georgian…) */
  readonly unicode?: boolean;
}

/** Ranges of letters the .graph lexer takes (\p{L}), from scripts JavaScript engines and TypeScript know of different ages. */
const LETTERS: readonly [number, number][] = [[0x61, 0x7a], [0xc0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x10a0, 0x10ff], [0x1e00, 0x1eff], [0x2c00, 0x2c5f], [0x2d30, 0x2d7f], [0x3041, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0x1d400, 0x1d7ff], [0x10400, 0x1044f], [0x2e2f, 0x2e2f]];
const LETTER = /^\p{L}$/u;

function unicodeName(rng: Random): string {
  const length = 1 + rng.int(4);
  let name = "";
  while ([...name].length < length) {
    const [lo, hi] = LETTERS[rng.int(LETTERS.length)]!;
    const c = String.fromCodePoint(lo + rng.int(hi - lo + 1));
    if (LETTER.test(c)) name += c;
  }
  return name;
}

export function randomGraph(seed: number, options: RandomGraphOptions = {}): RandomGraph {
  const rng = new Random(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const pool = options.hostile ? shuffled(HOSTILE_NAMES, rng) : options.unicode ? [...new Set(Array.from({ length: 40 }, () => unicodeName(rng)))] : [];
  /** a plain name, or the next hostile one */
  const named = (plain: string) => pool.shift() ?? plain;
  const N = named("N");
  const lines: string[] = [`dim ${N}`];
  const values: Value[] = [];
  const leaves: string[] = [];
  const shapes: Shape[] = [[], [3], [2, 3], [1, 3], [2, 1], ["N", 3], [3, 2], ["N", 2], [4], ...(options.hostile || options.unicode ? ([[1], [1, 1], ["N", 1]] as Shape[]) : [])];
  const fmt = (s: Shape) => `[${s.map((d) => (d === "N" ? N : d)).join(", ")}]`;
  const nInputs = 2 + rng.int(3);
  for (let i = 0; i < nInputs; i++) {
    const shape = pick(shapes);
    const kind = rng.uniform() < 0.3 ? "param" : "input";
    const name = named(`${kind === "param" ? "w" : "x"}${i}`);
    lines.push(kind === "param" ? `param ${name}: f64${shape.length ? fmt(shape) : ""} ~ uniform(-1, 1)` : `input ${name}: f64${shape.length ? fmt(shape) : ""}`);
    values.push({ name, shape });
    leaves.push(name);
  }
  const soft = rng.uniform() < 0.5 ? named("soft") : undefined;
  if (soft) {
    const [fa, fb] = [named("a"), named("b")];
    lines.push(`fn ${soft}(${fa}, ${fb}) = log(1 + exp(${fa})) * ${fb} - tanh(${fa})`);
  }
  const hasFn = soft !== undefined;
  let count = 0;
  const fresh = () => named(`v${count++}`);
  const steps = 3 + rng.int(7);
  for (let s = 0; s < steps; s++) {
    const a = pick(values);
    const partner = values.filter((v) => broadcast(a.shape, v.shape));
    const b = pick(partner.length > 0 ? partner : [a]);
    const out = next(a, b, values, pick, rng, hasFn ? soft : undefined, fmt);
    if (!out) continue;
    const name = fresh();
    lines.push(`${name} = ${out.expr}`);
    values.push({ name, shape: out.shape });
  }
  // a scalar from the last two values, so fan-out and broadcasting meet in the loss
  const last = values[values.length - 1]!;
  const other = pick(values.filter((v) => broadcast(last.shape, v.shape)));
  const L = named("L");
  lines.push(`${L} = sum(${last.name} * ${other.name}) + sum(square(${pick(values).name}))`);
  lines.push(`output ${[...new Set(values.slice(-2).map((v) => v.name))].join(", ")}`);
  lines.push(`grad ${L} wrt ${leaves.join(", ")}`);
  return { text: lines.join("\n") + "\n", seed };
}

function shuffled<T>(xs: readonly T[], rng: Random): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function broadcast(a: Shape, b: Shape): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

function outShape(a: Shape, b: Shape): Shape {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/** a @ r with a partner r of agreeing inner dimension, if any. */
function matmulWith(a: Value, values: readonly Value[], pick: <T>(xs: readonly T[]) => T): { expr: string; shape: Shape } | undefined {
  if (a.shape.length === 0 || a.shape.length > 2) return undefined;
  const k = a.shape[a.shape.length - 1]!;
  const rhs = values.filter((v) => (v.shape.length === 2 && v.shape[0] === k) || (v.shape.length === 1 && v.shape[0] === k));
  if (rhs.length === 0) return undefined;
  const r = pick(rhs);
  const shape: (number | "N")[] = [];
  if (a.shape.length === 2) shape.push(a.shape[0]!);
  if (r.shape.length === 2) shape.push(r.shape[1]!);
  return { expr: `${a.name} @ ${r.name}`, shape };
}

function next(
  a: Value,
  b: Value,
  values: readonly Value[],
  pick: <T>(xs: readonly T[]) => T,
  rng: Random,
  soft: string | undefined,
  fmt: (s: Shape) => string,
): { expr: string; shape: Shape } | undefined {
  const bs = outShape(a.shape, b.shape);
  const choice = rng.int(soft ? 15 : 14);
  switch (choice) {
    case 0:
      return { expr: `${a.name} ${pick(["+", "-", "*"])} ${b.name}`, shape: bs };
    case 1:
      return { expr: `${a.name} / (${b.name} * ${b.name} + 1)`, shape: bs };
    case 2:
      return { expr: `${pick(["exp", "tanh", "sigmoid", "relu", "abs", "square"])}(${a.name})`, shape: a.shape };
    case 3:
      return { expr: `${pick(["log", "sqrt"])}(${a.name} * ${a.name} + 0.5)`, shape: a.shape };
    case 4:
      return { expr: `maximum(${a.name}, ${b.name}) - minimum(${b.name}, 0.25 * ${a.name})`, shape: bs };
    case 5:
      return { expr: `(${a.name} * ${a.name} + 0.5) ^ ${pick(["1.5", "2", "0.5"])}`, shape: a.shape };
    case 6: {
      if (a.shape.length === 0) return { expr: `sum(${a.name})`, shape: [] };
      const axis = rng.int(a.shape.length);
      const keep = rng.uniform() < 0.5;
      const fn = pick(["sum", "mean", "max"]);
      return { expr: `${fn}(${a.name}, axis=${axis}${keep ? ", keepdims=true" : ""})`, shape: keep ? a.shape.map((d, i) => (i === axis ? 1 : d)) : a.shape.filter((_, i) => i !== axis) };
    }
    case 7:
      return matmulWith(a, values, pick);
    case 8:
      return a.shape.length === 2 ? { expr: `${a.name}.T`, shape: [a.shape[1]!, a.shape[0]!] } : undefined;
    case 9:
      return a.shape.length >= 1 ? { expr: `${pick(["softmax", "log_softmax"])}(${a.name})`, shape: a.shape } : undefined;
    case 10: {
      const [r, c] = a.shape;
      return a.shape.length === 2 && typeof r === "number" && typeof c === "number" ? { expr: `reshape(${a.name}, [-1])`, shape: [r * c] } : undefined;
    }
    case 11:
      return a.shape.length >= 1 && typeof a.shape[0] === "number" ? { expr: `repeat(${a.name}, 2, axis=0)`, shape: [(a.shape[0] as number) * 2, ...a.shape.slice(1)] } : undefined;
    case 12:
      return same(a.shape, b.shape) && a.shape.length > 0 ? { expr: `${a.name} * stop_gradient(${b.name}) + ${b.name}`, shape: a.shape } : undefined;
    case 13:
      return a.shape.length === 2 && a.shape[0] !== 1 ? { expr: `broadcast_to(sum(${a.name}, axis=0, keepdims=true), ${fmt(a.shape)}) - ${a.name}`, shape: a.shape } : undefined;
    default:
      return { expr: `${soft}(${a.name}, ${b.name})`, shape: bs };
  }
}
