/**
 * How a value reads on an edge: a scalar as its number; a tensor as its type and, up to
 * 12 elements, its values (rows of a matrix on their own lines), otherwise min / mean / max.
 */
import { stats, type Tensor } from "../tensor/tensor.js";

export const MAX_SHOWN = 12;

/** A number as people read it: at most 4 significant digits, no trailing zeros (715.0000000000001 → 715). */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) return v.toExponential(2).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(4)));
}

export function typeText(t: Tensor, dtype: string): string {
  return t.shape.length === 0 ? dtype : `${dtype}[${t.shape.join(",")}]`;
}

/** The lines of a value's label (the type first for a tensor). */
export function summaryLines(t: Tensor, dtype: string): string[] {
  if (t.shape.length === 0) return [num(t.data[0]!)];
  const head = typeText(t, dtype);
  if (t.data.length > MAX_SHOWN) {
    const { min, mean, max } = stats(t);
    // a mean that is 0 but for rounding (a softmax gradient's rows sum to 0) reads as ≈0, not 2.78e-18
    const scale = Math.max(Math.abs(min), Math.abs(max));
    const m = mean !== 0 && Math.abs(mean) <= 1e-7 * scale ? "≈0" : num(mean);
    return [head, `min ${num(min)} · mean ${m} · max ${num(max)}`];
  }
  const cols = t.shape[t.shape.length - 1] ?? 1;
  const rows: string[] = [];
  for (let i = 0; i < t.data.length; i += Math.max(1, cols)) rows.push(Array.from(t.data.slice(i, i + Math.max(1, cols)), num).join(", "));
  return [head, ...rows.map((r) => `[${r}]`)];
}

