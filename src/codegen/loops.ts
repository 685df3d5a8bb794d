/**
 * The loop writer: nested `for` loops over a shape and row-major index expressions,
 * with dims as code (numbers or identifiers such as N). Axes of size 1 and
 * broadcast axes contribute no term, so indices stay short and readable.
 */

/** Strides of a shape as code: ["N", "50"] → ["50", "1"]. */
export function strides(shape: readonly string[]): string[] {
  const out: string[] = new Array<string>(shape.length);
  let acc: string[] = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = product(acc);
    acc = [shape[i]!, ...acc];
  }
  return out;
}

export function product(dims: readonly string[]): string {
  const numeric = dims.filter((d) => /^\d+$/.test(d)).reduce((a, d) => a * Number(d), 1);
  const symbolic = dims.filter((d) => !/^\d+$/.test(d)).map((d) => (/^[\p{L}\p{Nd}_$]+$/u.test(d) ? d : `(${d})`));
  const parts = numeric === 1 && symbolic.length > 0 ? symbolic : [String(numeric), ...symbolic];
  return parts.join(" * ");
}

/** Row-major flat index of `vars` (one per axis; undefined skips the axis). */
export function index(shape: readonly string[], vars: readonly (string | undefined)[]): string {
  const st = strides(shape);
  const terms = shape.flatMap((d, i) => {
    const v = vars[i];
    if (v === undefined || d === "1") return [];
    return [st[i] === "1" ? v : `${v} * ${st[i]}`];
  });
  return terms.join(" + ") || "0";
}

/** Index of a value of shape `shape` read, with broadcasting, at `vars` of shape `out`. */
export function broadcastIndex(shape: readonly string[], out: readonly string[], vars: readonly string[]): string {
  const lead = out.length - shape.length;
  return index(
    shape,
    shape.map((d, i) => (d === "1" && out[lead + i] !== "1" ? undefined : vars[lead + i])),
  );
}

/** Nested loops over `shape`; the body gets one variable per axis. */
export function loops(shape: readonly string[], body: (vars: readonly string[]) => string, prefix = "i"): string {
  const vars = shape.map((_, k) => (shape.length === 1 ? prefix : `${prefix}${k}`));
  let code = body(vars);
  // over a scalar the body runs once, in a block of its own: two such bodies may declare the same locals
  if (shape.length === 0) return `{\n${indent(code)}\n}`;
  for (let k = shape.length - 1; k >= 0; k--) {
    code = `for (let ${vars[k]} = 0; ${vars[k]} < ${shape[k]}; ${vars[k]}++) {\n${indent(code)}\n}`;
  }
  return code;
}

export function indent(code: string, by = "  "): string {
  return code
    .split("\n")
    .map((l) => (l.length > 0 ? by + l : l))
    .join("\n");
}
