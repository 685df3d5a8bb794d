/** Dtypes, symbolic shapes and NumPy broadcasting: the type system of the IR. */

export type DType = "f32" | "f64" | "i32";
export const DTYPES: readonly DType[] = ["f32", "f64", "i32"];

/** A dimension: a number, a declared dim name (`N`), or a product of them (`N*3`). */
export type Dim = number | string;
export type Shape = readonly Dim[];

export interface Type {
  readonly dtype: DType;
  readonly shape: Shape;
  /** a number literal: takes the dtype of what it meets, as in NumPy 2 */
  readonly weak?: boolean;
}

export const isFloat = (d: DType): boolean => d !== "i32";

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function formatType(t: Type): string {
  return t.shape.length === 0 ? t.dtype : `${t.dtype}${formatShape(t.shape)}`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function dimMul(a: Dim, b: Dim): Dim {
  if (typeof a === "number" && typeof b === "number") return a * b;
  if (a === 1) return b;
  if (b === 1) return a;
  return `${a}*${b}`;
}

/** NumPy broadcasting of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else return undefined;
  }
  return out;
}

export function promote(a: Type, b: Type): DType {
  // a literal takes the float dtype of what it meets; arithmetic on i32 gives f64
  if (a.weak && !b.weak) return b.dtype === "i32" ? "f64" : b.dtype;
  if (b.weak && !a.weak) return a.dtype === "i32" ? "f64" : a.dtype;
  const rank = { i32: 0, f32: 1, f64: 2 } as const;
  return rank[a.dtype] >= rank[b.dtype] ? a.dtype : b.dtype;
}

/** Normalizes a possibly negative axis; undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

/**
 * A dim as its factors: the product of its numbers, and its dim names in order
 * (`N*3*M` → 3, [N, M]). The one place that reads the `N*3` form of a dim product.
 */
export function dimFactors(d: Dim): { readonly numeric: number; readonly names: readonly string[] } {
  if (typeof d === "number") return { numeric: d, names: [] };
  let numeric = 1;
  const names: string[] = [];
  for (const part of d.split("*")) {
    if (/^\d+$/.test(part)) numeric *= Number(part);
    else names.push(part);
  }
  return { numeric, names };
}

/** Evaluates a symbolic dim under concrete bindings. */
export function resolveDim(d: Dim, dims: ReadonlyMap<string, number>): number {
  const { numeric, names } = dimFactors(d);
  return names.reduce((v, name) => {
    const n = dims.get(name);
    if (n === undefined) throw new Error(`internal error: dim ${name} is unbound`);
    return v * n;
  }, numeric);
}

export function resolveShape(s: Shape, dims: ReadonlyMap<string, number>): number[] {
  return s.map((d) => resolveDim(d, dims));
}
