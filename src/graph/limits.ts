/**
 * The sizes gradc refuses, in one place (docs/reliability.md lists them). A tensor's
 * elements are counted over its static dims when it is declared or built; symbolic dims
 * are bound at run time, where the bound sizes are checked against the same limit.
 */
import type { Span } from "../diagnostics/index.js";
import { tensorTooLarge } from "../diagnostics/errors.js";
import type { Shape } from "../tensor/types.js";

/** 2^26 elements: 256 MiB as float32, 512 MiB as float64 — a thousand times the TwoLayerNet's W1. */
export const MAX_TENSOR_ELEMENTS = 2 ** 26;

/** The elements of a shape's static dims (symbolic ones count as 1). */
export function staticElements(shape: Shape): number {
  return shape.reduce<number>((n, d) => (typeof d === "number" ? n * d : n), 1);
}

/** Fails at `span` when a tensor of this shape would be larger than gradc allows. */
export function checkTensorSize(shape: Shape, what: string, span: Span | undefined): void {
  const n = staticElements(shape);
  if (n > MAX_TENSOR_ELEMENTS) {
    tensorTooLarge(span, { what, elements: n, limit: MAX_TENSOR_ELEMENTS });
  }
}
