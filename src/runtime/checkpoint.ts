/**
 * Checkpoints, in the safetensors layout (safetensors.ts), so PyTorch, NumPy and Hugging
 * Face tools read the weights: each param is a tensor under its own name (`W1`, shaped
 * as in the graph), the optimizer's state is `optimizer.PARAM.I` (Momentum: 0 = velocity;
 * Adam: 0 = m, 1 = v; SGD has none), and `__metadata__` holds, as strings: format
 * "gradc", format_version "1", graph_hash, source, iteration, optimizer, optimizer_lr,
 * optimizer_steps, rng and dims (JSON: each dim's size at save time). Files of the older
 * gradc layout ("GRADCKPT", a JSON header, the arrays) still load; writing is always
 * safetensors. Loading into a different graph, or a damaged or hand-edited file, is a
 * clear one-line error, never a partial load.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as errors from "../diagnostics/errors.js";
import type { Graph } from "../graph/ir.js";
import type { Shape } from "../tensor/types.js";
import { reason, writeAtomic } from "./files.js";
import type { FloatArray } from "./optimizers.js";
import { decodeSafetensors, encodeSafetensors, startsWithMetadata, type SafeTensor } from "./safetensors.js";

const MAGIC = "GRADCKPT";
const FORMAT_VERSION = "1";
/** the state arrays each optimizer keeps per param */
const STATE_ARRAYS: Record<string, number> = { sgd: 0, momentum: 1, adam: 2 };

export interface Checkpoint {
  readonly graphHash: string;
  readonly source: string;
  readonly iteration: number;
  readonly optimizer: { name: string; lr: number; steps: number };
  readonly rng: number;
  readonly params: Record<string, FloatArray>;
  /** optimizer state: name → arrays */
  readonly state: Record<string, FloatArray[]>;
  /** the dims' sizes at save time (training: the batch size), recorded in the metadata */
  readonly dims?: Readonly<Record<string, number>>;
}

/** What the checkpoint must match: the graph's params, their types and shapes. */
export function graphHash(g: Graph): string {
  const sig = g.params.map((p) => `${p.name}:${p.node.type.dtype}[${p.node.type.shape.join(",")}]`).join(";");
  return createHash("sha256").update(sig).digest("hex").slice(0, 16);
}

/** Writes `c` as a safetensors file, each tensor shaped as `g` declares its param (symbolic dims resolved). */
export function saveCheckpoint(path: string, c: Checkpoint, g: Graph): void {
  const dims = c.dims ?? {};
  const tensor = (param: string, name: string, array: FloatArray): SafeTensor => {
    const p = g.params.find((q) => q.name === param);
    if (!p) return errors.checkpointNotAParam({ name, param, file: g.file });
    return { name, shape: shapeOf(name, p.node.type.shape, array.length, dims), array };
  };
  // safetensors reserves __metadata__: a param of that name is stored as param.__metadata__ (a param name holds no dot)
  const tensors = Object.entries(c.params).map(([n, a]) => tensor(n, n === "__metadata__" ? `param.${n}` : n, a));
  for (const [n, list] of Object.entries(c.state)) list.forEach((a, i) => tensors.push(tensor(n, `optimizer.${n}.${i}`, a)));
  const metadata = {
    format: "gradc",
    format_version: FORMAT_VERSION,
    graph_hash: c.graphHash,
    source: c.source,
    iteration: String(c.iteration),
    optimizer: c.optimizer.name,
    optimizer_lr: String(c.optimizer.lr),
    optimizer_steps: String(c.optimizer.steps),
    rng: String(c.rng),
    dims: JSON.stringify(dims),
  };
  writeAtomic(path, encodeSafetensors(tensors, metadata));
}

/** A param's shape with its symbolic dims resolved: from the dims given when they fit the values, else from the values' count. */
function shapeOf(name: string, shape: Shape, length: number, dims: Readonly<Record<string, number>>): number[] {
  const product = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
  const given = shape.map((d) => (typeof d === "number" ? d : dims[d]));
  if (given.every((d) => d !== undefined) && product(given) === length) return given;
  const symbols = new Set(shape.filter((d) => typeof d === "string"));
  const fixed = product(shape.filter((d) => typeof d === "number"));
  if (symbols.size === 1 && fixed > 0) {
    const k = shape.length - shape.filter((d) => typeof d === "number").length;
    const v = Math.round((length / fixed) ** (1 / k));
    if (fixed * v ** k === length) return shape.map((d) => (typeof d === "number" ? d : v));
  }
  return errors.checkpointShapeMismatch({ name, length, shape: shape.map(String) });
}

/** Whether a file's first bytes are a gradc checkpoint's (either layout): a quick look, for not replacing other files. */
export function isCheckpointHead(head: string): boolean {
  return head.startsWith(MAGIC) || startsWithMetadata(Buffer.from(head, "latin1"), "format", "gradc");
}

/** `ifMissing` says what to do when there is no file at `path` (train first, …), after the cause. */
export function loadCheckpoint(path: string, g: Graph, ifMissing?: string): Checkpoint {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT" && ifMissing !== undefined;
    return errors.cannotReadCheckpoint({ path, why: missing ? `${reason(e)}: ${ifMissing}` : reason(e) });
  }
  const bad = (why: string): never => errors.checkpointUnusable({ path, why });
  // another graph's checkpoint says so first, before its arrays are checked against this graph
  const sameGraph = (hash: unknown, source: unknown) => {
    if (typeof hash === "string" && hash !== graphHash(g)) {
      errors.checkpointOtherGraph({ path, source: String(source), file: g.file });
    }
  };
  const read = bytes.subarray(0, 8).toString("latin1") === MAGIC ? readLegacy(bytes, bad, sameGraph) : readSafetensors(bytes, g, bad, sameGraph);
  sameGraph(read.fields.graphHash, read.fields.source);
  return { ...read.fields, ...arraysOf(read.arrays, g, read.fields.optimizer.name, bad) };
}

type Fields = Omit<Checkpoint, "params" | "state">;
/** An array as a file holds it: its name there, the param (and state index) it belongs to, its shape when the file records one. */
type Held = { name: string; param?: string; index?: number; array: FloatArray; shape?: readonly number[] };
type Bad = (why: string) => never;
type SameGraph = (hash: unknown, source: unknown) => void;

const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const count = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The safetensors layout: tensors named PARAM or optimizer.PARAM.I, the fields in __metadata__ as strings. */
function readSafetensors(bytes: Buffer, g: Graph, bad: Bad, sameGraph: SameGraph): { fields: Fields; arrays: Held[] } {
  const { metadata: m, tensors } = decodeSafetensors(bytes, bad, (m) => {
    if (m["format"] !== "gradc") bad(`it is not a gradc checkpoint: its __metadata__.format is ${JSON.stringify(m["format"])}, not "gradc"`);
    sameGraph(m["graph_hash"], m["source"]);
    if (m["format_version"] !== FORMAT_VERSION) bad(`it is checkpoint format_version ${JSON.stringify(m["format_version"])}; this gradc reads ${FORMAT_VERSION}`);
  });
  // a number in a string, or the string itself (so a message quotes what the file says)
  const num = (s: string | undefined) => (s !== undefined && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s) ? Number(s) : s);
  const fields = validFields({ graphHash: m["graph_hash"], source: m["source"], iteration: num(m["iteration"]), rng: num(m["rng"]), optimizer: { name: m["optimizer"], lr: num(m["optimizer_lr"]), steps: num(m["optimizer_steps"]) } }, bad);
  let dims: unknown;
  try {
    dims = JSON.parse(m["dims"] ?? "");
  } catch {
    dims = undefined;
  }
  if (!obj(dims) || !Object.values(dims).every((d) => count(d) && d > 0)) return bad(`its __metadata__.dims must be a JSON object of dims and sizes, got ${JSON.stringify(m["dims"])}`);
  const stray = Object.keys(dims).find((d) => !g.dims.includes(d));
  if (stray !== undefined) bad(`its __metadata__.dims names '${stray}', which is not a dim of ${g.file}`);
  const arrays = tensors.map(({ name, shape, array }): Held => {
    const state = /^optimizer\.([^.]+)\.(0|[1-9]\d*)$/.exec(name);
    return state ? { name, param: state[1], index: Number(state[2]), array, shape } : { name, param: name === "param.__metadata__" ? "__metadata__" : name, array, shape };
  });
  return { fields: { ...fields, dims: dims as Record<string, number> }, arrays };
}

/** The older layout: "GRADCKPT", a u32 header length, a JSON header listing the arrays, their bytes. */
function readLegacy(bytes: Buffer, bad: Bad, sameGraph: SameGraph): { fields: Fields; arrays: Held[] } {
  if (bytes.length < 12) bad("it is truncated after GRADCKPT");
  const n = bytes.readUInt32LE(8);
  let h: unknown;
  try {
    if (12 + n > bytes.length) throw new Error("short");
    h = JSON.parse(bytes.subarray(12, 12 + n).toString("utf8"));
  } catch {
    return bad("its header is damaged");
  }
  if (obj(h)) sameGraph(h["graphHash"], h["source"]);
  const fields = validFields(h, bad);
  const list = (h as Record<string, unknown>)["arrays"];
  if (!Array.isArray(list) || list.length === 0) return bad("it lists no arrays");
  let at = 12 + n;
  const arrays = list.map((a: unknown): Held => {
    if (!obj(a) || typeof a["name"] !== "string" || (a["dtype"] !== "f32" && a["dtype"] !== "f64") || !count(a["length"])) return bad("an array entry is damaged");
    const size = (a["length"] as number) * (a["dtype"] === "f32" ? 4 : 8);
    if (at + size > bytes.length) bad(`it is truncated (${a["name"]})`);
    const buf = new ArrayBuffer(size);
    new Uint8Array(buf).set(bytes.subarray(at, at + size));
    at += size;
    const [kind, param, index] = a["name"].split(":");
    const array = a["dtype"] === "f32" ? new Float32Array(buf) : new Float64Array(buf);
    if (kind === "param" && index === undefined) return { name: a["name"], param, array };
    return { name: a["name"], param: kind === "state" && /^\d+$/.test(index ?? "") ? param : undefined, index: Number(index), array };
  });
  if (at !== bytes.length) bad(`${bytes.length - at} bytes follow the last array`);
  return { fields, arrays };
}

/** The fields every checkpoint has, checked: a damaged or hand-edited file is a clear error. */
function validFields(h: unknown, bad: Bad): Fields {
  if (!obj(h)) return bad("its header is not an object");
  if (typeof h["graphHash"] !== "string" || typeof h["source"] !== "string") bad("its header lacks the graph hash or the source");
  if (!count(h["iteration"])) bad(`iteration must be a count, got ${JSON.stringify(h["iteration"])}`);
  if (typeof h["rng"] !== "number" || !Number.isInteger(h["rng"])) bad("its random state is damaged");
  const o = h["optimizer"];
  if (!obj(o) || !Object.hasOwn(STATE_ARRAYS, String(o["name"]))) return bad("its optimizer is missing or unknown");
  if (typeof o["lr"] !== "number" || !Number.isFinite(o["lr"]) || o["lr"] <= 0) bad(`its learning rate must be a positive number, got ${JSON.stringify(o["lr"])}`);
  if (!count(o["steps"])) bad("its optimizer's step count is damaged");
  return { graphHash: h["graphHash"] as string, source: h["source"] as string, iteration: h["iteration"] as number, rng: h["rng"] as number, optimizer: { name: o["name"] as string, lr: o["lr"] as number, steps: o["steps"] as number } };
}

/** The arrays against the graph: each a param's (or its state's), of its dtype and shape; every param there, and every state array the optimizer keeps. */
function arraysOf(arrays: readonly Held[], g: Graph, optimizer: string, bad: Bad): Pick<Checkpoint, "params" | "state"> {
  const params: [string, FloatArray][] = [];
  const state = new Map<string, FloatArray[]>();
  const kept = STATE_ARRAYS[optimizer]!;
  for (const a of arrays) {
    const p = g.params.find((q) => q.name === a.param);
    if (!p) return bad(`it holds '${a.name}', which is not a param of ${g.file}`);
    const { dtype, shape } = p.node.type;
    if (a.index !== undefined && a.index >= kept) bad(`it holds '${a.name}', but ${optimizer} keeps ${kept} state array${kept === 1 ? "" : "s"} per param`);
    if ((a.array instanceof Float32Array ? "f32" : "f64") !== dtype) bad(`${a.name} holds ${a.array instanceof Float32Array ? "f32" : "f64"} values, but ${p.name} is ${dtype}`);
    if (a.shape && (a.shape.length !== shape.length || shape.some((d, i) => typeof d === "number" && d !== a.shape![i]))) {
      bad(`${a.name} has shape [${a.shape.join(", ")}], but ${p.name} is [${shape.join(", ")}]`);
    }
    const size = shape.every((d) => typeof d === "number") ? shape.reduce<number>((x, d) => x * (d as number), 1) : undefined;
    if (size !== undefined && a.array.length !== size) bad(`${a.name} has ${a.array.length} values, but ${p.name} has ${size}`);
    if (a.index === undefined) {
      if (params.some(([n]) => n === p.name)) bad(`it holds ${a.name} twice`);
      params.push([p.name, a.array]);
    } else {
      const list = state.get(p.name) ?? [];
      if (list[a.index]) bad(`it holds ${a.name} twice`);
      list[a.index] = a.array;
      state.set(p.name, list);
    }
  }
  for (const p of g.params) {
    if (!params.some(([n]) => n === p.name)) bad(`it holds no values for param ${p.name}`);
    const list = state.get(p.name) ?? [];
    for (let i = 0; i < kept; i++) if (!list[i]) bad(`it holds no ${optimizer} state ${i} for param ${p.name}`);
  }
  return { params: Object.fromEntries(params), state: Object.fromEntries(state) };
}
