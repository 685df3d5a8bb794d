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
  let header: { graphHash: string; source: string; iteration: number; optimizer: Checkpoint["optimizer"]; rng: number; arrays: { name: string; dtype: string; length: number }[] };
  try {
    header = JSON.parse(bytes.subarray(12, 12 + n).toString("utf8"));
  } catch {
    return bad("its header is damaged");
  }
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
  return { graphHash: header.graphHash, source: header.source, iteration: header.iteration, optimizer: header.optimizer, rng: header.rng, params, state };
}
