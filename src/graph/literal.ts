/** Compile-time values in `.graph` files: number and array literals, attributes. */
import type { Span } from "../diagnostics/index.js";
import { notALiteral, raggedArray } from "../diagnostics/errors.js";
import type { Expr } from "../dsl/ast.js";
import { fromNested, type Tensor } from "../tensor/tensor.js";

/** A literal (number, -number, nested array) as a nested JS value, or undefined. */
export function literalValue(e: Expr): unknown {
  switch (e.kind) {
    case "num":
      return e.value;
    case "unary": {
      const v = literalValue(e.arg);
      return typeof v === "number" ? -v : undefined;
    }
    case "array": {
      const items = e.items.map(literalValue);
      return items.every((i) => i !== undefined) ? items : undefined;
    }
    default:
      return undefined;
  }
}

/** A literal as a tensor, or a located error saying what is wrong with it. */
export function literalTensor(e: Expr, what: string): Tensor {
  const v = literalValue(e);
  if (v === undefined) notALiteral(e.span, { what });
  const t = fromNested(v);
  if (!t) raggedArray(e.span, { what });
  return t;
}

export function isInteger(e: Expr): number | undefined {
  const v = literalValue(e);
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

export const spanOf = (e: Expr): Span => e.span;
