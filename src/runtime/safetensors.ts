/**
 * The safetensors layout (https://github.com/huggingface/safetensors), as its
 * specification defines it: an 8-byte little-endian u64 N, N bytes of UTF-8 JSON (padded
 * with spaces to a multiple of 8 bytes, as the reference writer does), then the data
 * buffer. The header maps each tensor's name to `{dtype, shape, data_offsets: [begin,
 * end]}` (offsets into the data buffer), and `__metadata__` to a map of strings. Only the
 * layout is here — which tensors and metadata a checkpoint holds is checkpoint.ts's.
 * Reading checks every rule: a sane header length, a JSON object, string metadata, a
 * known dtype, shape × item size = the offsets' span, and tensors that tile the data
 * buffer exactly (no overlap, no gap, nothing past the end or after the last).
 */
import type { FloatArray } from "./optimizers.js";

export type SafeDType = "F32" | "F64";

export interface SafeTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly array: FloatArray;
}

/** The reference implementation's limit on the header (safetensors' MAX_HEADER_SIZE). */
export const MAX_HEADER = 100_000_000;
const ITEM: Record<SafeDType, number> = { F32: 4, F64: 8 };
const METADATA = "__metadata__";

/** A safetensors file: the tensors contiguous in the order given, the header padded to 8 bytes. */
export function encodeSafetensors(tensors: readonly SafeTensor[], metadata: Readonly<Record<string, string>>): Buffer {
  // no prototype: a tensor named __proto__ is an ordinary key
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  header[METADATA] = metadata;
  let at = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.array instanceof Float32Array ? "F32" : "F64", shape: t.shape, data_offsets: [at, at + t.array.byteLength] };
    at += t.array.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const n = Math.ceil(json.length / 8) * 8;
  const head = Buffer.alloc(8 + n, 0x20);
  head.writeBigUInt64LE(BigInt(n), 0);
  json.copy(head, 8);
  return Buffer.concat([head, ...tensors.map((t) => new Uint8Array(t.array.buffer, t.array.byteOffset, t.array.byteLength))]);
}

/** Whether a file's first bytes are a safetensors header that starts with these metadata (a quick look, not a check). */
export function startsWithMetadata(head: Uint8Array, key: string, value: string): boolean {
  if (head.length < 9) return false;
  const n = Buffer.from(head.buffer, head.byteOffset, head.byteLength).readBigUInt64LE(0);
  const json = Buffer.from(head.subarray(8, 8 + Number(n > BigInt(MAX_HEADER) ? 0 : n))).toString("utf8");
  return json.startsWith("{") && new RegExp(`"${METADATA}"\\s*:\\s*\\{[^}]*"${key}"\\s*:\\s*"${value}"`).test(json);
}

const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const count = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * A safetensors file's metadata and tensors (copied out, in header order). `bad` says why
 * a file breaks a rule; `early` sees the metadata before the tensors are checked.
 */
export function decodeSafetensors(bytes: Buffer, bad: (why: string) => never, early: (metadata: Record<string, string>) => void = () => {}): { metadata: Record<string, string>; tensors: SafeTensor[] } {
  if (bytes.length < 8) bad(`it is ${bytes.length} bytes long, too short for the 8-byte header length that starts a safetensors file`);
  const n = bytes.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER)) bad(`it is not a safetensors file: its first 8 bytes give a header length of ${n} bytes, over safetensors' limit of 100 MB`);
  if (8 + Number(n) > bytes.length) bad(`its header length is ${n} bytes, but only ${bytes.length - 8} bytes follow it: the file is truncated`);
  const start = 8 + Number(n);
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, start));
    if (!text.startsWith("{")) throw new Error("not an object");
    header = JSON.parse(text);
  } catch {
    return bad("its header is not a UTF-8 JSON object");
  }
  if (!obj(header)) return bad("its header is not a JSON object");
  const metadata = header[METADATA] ?? {};
  if (!obj(metadata)) return bad(`its ${METADATA} is not a map of strings`);
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") bad(`${METADATA}.${k} is ${JSON.stringify(v)}: safetensors metadata values must be strings`);
  }
  early(metadata as Record<string, string>);
  const entries = Object.entries(header).filter(([k]) => k !== METADATA).map(([name, t]) => entry(name, t, bad));
  const buffer = bytes.length - start;
  let at = 0;
  let last = "";
  for (const e of [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (e.begin < at) bad(`tensor '${e.name}' (data_offsets [${e.begin}, ${e.end}]) overlaps '${last}', which ends at ${at}`);
    if (e.end > buffer) bad(`tensor '${e.name}' (data_offsets [${e.begin}, ${e.end}]) runs past the end of the data buffer (${buffer} bytes): the file is truncated`);
    if (e.begin > at) bad(`the data buffer has a gap of ${e.begin - at} bytes before tensor '${e.name}' (data_offsets [${e.begin}, ${e.end}])`);
    at = e.end;
    last = e.name;
  }
  if (at !== buffer) bad(`${buffer - at} bytes follow the last tensor`);
  const tensors = entries.map((e) => {
    const copy = new ArrayBuffer(e.end - e.begin);
    new Uint8Array(copy).set(bytes.subarray(start + e.begin, start + e.end));
    return { name: e.name, shape: e.shape, array: e.dtype === "F32" ? new Float32Array(copy) : new Float64Array(copy) };
  });
  return { metadata: metadata as Record<string, string>, tensors };
}

/** One header entry, checked: a known dtype, a shape, offsets whose span is the shape's bytes. */
function entry(name: string, t: unknown, bad: (why: string) => never) {
  if (!obj(t)) return bad(`tensor '${name}' is not a {dtype, shape, data_offsets} object`);
  const { dtype, shape, data_offsets: offsets } = t;
  if (dtype !== "F32" && dtype !== "F64") bad(`tensor '${name}' has dtype ${JSON.stringify(dtype)}; gradc reads F32 and F64`);
  if (!Array.isArray(shape) || !shape.every(count)) bad(`tensor '${name}' has shape ${JSON.stringify(shape)}, not a list of sizes`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(count) || (offsets[0] as number) > (offsets[1] as number)) {
    bad(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  const bytes = (shape as number[]).reduce((a, d) => a * d, ITEM[dtype as SafeDType]);
  if (bytes !== end - begin) bad(`tensor '${name}' is ${String(dtype)}[${(shape as number[]).join(", ")}], ${bytes} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin}`);
  return { name, dtype: dtype as SafeDType, shape: shape as number[], begin, end };
}
