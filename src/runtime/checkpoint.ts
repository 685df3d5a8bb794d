/**
 * Checkpoints: a small binary file — the magic "GRADCKPT", a JSON header (the graph's
 * hash, each array's name, dtype and length, the optimizer, the iteration, the
 * generator's state) and then the arrays' raw little-endian bytes. Loading into a
 * different graph, or a damaged file, is a clear error.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { codes, fail } from "../diagnostics/index.js";
import type { Graph } from "../graph/ir.js";
import { writeAtomic } from "./files.js";
import type { FloatArray } from "./optimizers.js";

const MAGIC = "GRADCKPT";

export interface Checkpoint {
  readonly graphHash: string;
  readonly source: string;
  readonly iteration: number;
  readonly optimizer: { name: string; lr: number; steps: number };
  readonly rng: number;
  readonly params: Record<string, FloatArray>;
  /** optimizer state: name → arrays */
  readonly state: Record<string, FloatArray[]>;
}

/** What the checkpoint must match: the graph's params, their types and shapes. */
export function graphHash(g: Graph): string {
  const sig = g.params.map((p) => `${p.name}:${p.node.type.dtype}[${p.node.type.shape.join(",")}]`).join(";");
  return createHash("sha256").update(sig).digest("hex").slice(0, 16);
}

export function saveCheckpoint(path: string, c: Checkpoint): void {
  const arrays: { name: string; dtype: string; length: number }[] = [];
  const chunks: Uint8Array[] = [];
  const add = (name: string, a: FloatArray) => {
    arrays.push({ name, dtype: a instanceof Float32Array ? "f32" : "f64", length: a.length });
    chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  };
  for (const [n, a] of Object.entries(c.params)) add(`param:${n}`, a);
  for (const [n, list] of Object.entries(c.state)) list.forEach((a, i) => add(`state:${n}:${i}`, a));
  const header = new TextEncoder().encode(JSON.stringify({ graphHash: c.graphHash, source: c.source, iteration: c.iteration, optimizer: c.optimizer, rng: c.rng, arrays }));
  const head = new Uint8Array(8 + 4);
  head.set(new TextEncoder().encode(MAGIC));
  new DataView(head.buffer).setUint32(8, header.length, true);
  writeAtomic(path, Buffer.concat([head, header, ...chunks]));
}

export function loadCheckpoint(path: string, g: Graph): Checkpoint {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return fail(codes.io, `cannot read checkpoint ${path}`);
  }
  const bad = (why: string): never => fail(codes.io, `${path}: not a usable gradc checkpoint: ${why}`);
  if (bytes.length < 12 || bytes.subarray(0, 8).toString("latin1") !== MAGIC) bad("it does not start with GRADCKPT");
  const n = bytes.readUInt32LE(8);
  let parsed: unknown;
  try {
    if (12 + n > bytes.length) throw new Error("short");
    parsed = JSON.parse(bytes.subarray(12, 12 + n).toString("utf8"));
  } catch {
    return bad("its header is damaged");
  }
  // another graph's checkpoint says so first, before its arrays are checked against this graph
  const saved = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (typeof saved["graphHash"] === "string" && saved["graphHash"] !== graphHash(g)) {
    fail(codes.io, `${path} was saved from ${String(saved["source"])}, whose params differ from ${g.file}'s: it cannot be loaded into this graph`);
  }
  const header = validHeader(parsed, g, bad);
  if (header.graphHash !== graphHash(g)) {
    fail(codes.io, `${path} was saved from ${header.source}, whose params differ from ${g.file}'s: it cannot be loaded into this graph`);
  }
  let at = 12 + n;
  const params: Record<string, FloatArray> = {};
  const state: Record<string, FloatArray[]> = {};
  for (const a of header.arrays) {
    const size = a.length * (a.dtype === "f32" ? 4 : 8);
    if (at + size > bytes.length) bad(`it is truncated (${a.name})`);
    const copy = bytes.subarray(at, at + size);
    const buf = new ArrayBuffer(size);
    new Uint8Array(buf).set(copy);
    const arr = a.dtype === "f32" ? new Float32Array(buf) : new Float64Array(buf);
    at += size;
    const [kind, name, index] = a.name.split(":") as [string, string, string | undefined];
    if (kind === "param") params[name] = arr;
    else (state[name] ??= [])[Number(index)] = arr;
  }
  if (at !== bytes.length) bad(`${bytes.length - at} bytes follow the last array`);
  return { graphHash: header.graphHash, source: header.source, iteration: header.iteration, optimizer: header.optimizer, rng: header.rng, params, state };
}

type Header = { graphHash: string; source: string; iteration: number; optimizer: Checkpoint["optimizer"]; rng: number; arrays: { name: string; dtype: "f32" | "f64"; length: number }[] };

/** Every field of a checkpoint's header, checked: a damaged or hand-edited file is a clear error, never a partial load. */
function validHeader(h: unknown, g: Graph, bad: (why: string) => never): Header {
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const count = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (!obj(h)) return bad("its header is not an object");
  if (typeof h["graphHash"] !== "string" || typeof h["source"] !== "string") bad("its header lacks graphHash or source");
  if (!count(h["iteration"])) bad(`iteration must be a count, got ${JSON.stringify(h["iteration"])}`);
  if (typeof h["rng"] !== "number" || !Number.isInteger(h["rng"])) bad("its random state is damaged");
  const o = h["optimizer"];
  if (!obj(o) || !["sgd", "momentum", "adam"].includes(String(o["name"]))) bad("its optimizer is missing or unknown");
  if (typeof o["lr"] !== "number" || !Number.isFinite(o["lr"]) || o["lr"] <= 0) bad(`its learning rate must be a positive number, got ${JSON.stringify(o["lr"])}`);
  if (!count(o["steps"])) bad("its optimizer's step count is damaged");
  const arrays = h["arrays"];
  if (!Array.isArray(arrays) || arrays.length === 0) bad("it lists no arrays");
  const params = new Map(g.params.map((p) => [p.name, p.node.type.shape]));
  const seen = new Set<string>();
  for (const a of arrays as unknown[]) {
    if (!obj(a) || typeof a["name"] !== "string" || (a["dtype"] !== "f32" && a["dtype"] !== "f64") || !count(a["length"])) bad("an array entry is damaged");
    const [kind, name] = String(a["name"]).split(":");
    const shape = params.get(name ?? "");
    if ((kind !== "param" && kind !== "state") || !shape) bad(`it holds '${String(a["name"])}', which is not a param of ${g.file}`);
    const size = shape.every((d) => typeof d === "number") ? shape.reduce<number>((x, d) => x * (d as number), 1) : undefined;
    if (size !== undefined && a["length"] !== size) bad(`${String(a["name"])} has ${String(a["length"])} values, but ${name} has ${size}`);
    if (kind === "param") seen.add(name!);
  }
  const missing = g.params.find((p) => !seen.has(p.name));
  if (missing) bad(`it holds no values for param ${missing.name}`);
  return h as unknown as Header;
}
