/**
 * gradc as a library. The whole pipeline on one screen:
 *
 *   parseGraph → buildGraph → differentiate → interpret | check | print
 *
 * Each step returns a typed value; errors in a `.graph` file are GradcErrors that
 * carry a located Diagnostic (format them with formatDiagnostic).
 */
import { readFileSync } from "node:fs";
import { codes, fail, type Source } from "./diagnostics/index.js";
import { parse } from "./dsl/parser.js";
import type { Program } from "./dsl/ast.js";
import type { Graph } from "./graph/ir.js";
import { buildGraph, differentiate } from "./graph/lower.js";

export { GradcError, formatDiagnostic, type Diagnostic } from "./diagnostics/index.js";
export { printGraph } from "./graph/print.js";
export { evaluate, run as interpret, type Bindings } from "./interp/index.js";
export { checkGradients, type GradCheck } from "./interp/check.js";
export { bind, type BindOptions } from "./runtime/bind.js";
export { fromNested, toNested, type Tensor } from "./graph/tensor.js";
export type { Graph, Node } from "./graph/ir.js";
export { buildGraph, differentiate };

/** `.graph` text → syntax tree. */
export function parseGraph(text: string, file = "<graph>"): Program {
  return parse({ file, text });
}

/** `.graph` text → typed graph with its gradient nodes. */
export function compileText(text: string, file = "<graph>"): Graph {
  return differentiate(buildGraph(parseGraph(text, file), text));
}

/** Reads and compiles a `.graph` file. */
export function loadGraph(path: string): Graph {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    return fail(codes.io, `cannot read ${path}: ${why}`);
  }
  return compileText(text, path);
}

export type { Source };
