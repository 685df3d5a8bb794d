/** Numbers and tensors for people (15 significant digits) and for JSON. */
import { stats, toNested, type Tensor } from "../tensor/tensor.js";

/** 715.0000000000001 → "715"; keeps what a reader needs, like the textbook's figures. */
export function formatNumber(v: number, digits = 12): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

/** Elements of a tensor: 6 significant digits, as NumPy prints them. */
const element = (v: number): string => formatNumber(v, 6);

export function formatTensor(t: Tensor, indent = "  "): string {
  if (t.shape.length === 0) return formatNumber(t.data[0]!);
  const head = `[${t.shape.join(", ")}]`;
  if (t.data.length <= 64) return `${head} ${nested(toNested(t), indent)}`;
  const { min, mean, max } = stats(t);
  const first = Array.from(t.data.slice(0, 5), (v) => element(v)).join(", ");
  return `${head} [${first}, …]  mean ${element(mean)}  min ${element(min)}  max ${element(max)}`;
}

/** The most elements printed on one line. */
const ROW = 10;

function nested(v: unknown, indent: string): string {
  if (typeof v === "number") return element(v);
  const items = v as unknown[];
  if (items.every((i) => typeof i === "number")) {
    const all = items.map((i) => element(i as number));
    // a long row (a bias of 50) wraps, ten elements to a line
    if (all.length <= ROW) return `[${all.join(", ")}]`;
    const lines: string[] = [];
    for (let k = 0; k < all.length; k += ROW) lines.push(`${indent}  ${all.slice(k, k + ROW).join(", ")}`);
    return `[\n${lines.join(",\n")}\n${indent}]`;
  }
  return `[\n${items.map((i) => indent + "  " + nested(i, indent + "  ")).join(",\n")}\n${indent}]`;
}

/**
 * JSON with a space after ':' and ',', as SPEC shows it. JSON has no NaN or infinities: they
 * are written as the strings "NaN", "Infinity" and "-Infinity" (SPEC §2; null would hide which).
 */
export function toJson(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (Array.isArray(v)) return `[${v.map(toJson).join(", ")}]`;
  if (v && typeof v === "object") {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${toJson(x)}`).join(", ")}}`;
  }
  return JSON.stringify(v);
}
