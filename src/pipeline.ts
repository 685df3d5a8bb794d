/**
 * The front half of the pipeline, light enough for every command to load:
 *
 *   parseGraph → buildGraph → differentiate
 *
 * Each step returns a typed value; errors in a `.graph` file are GradcErrors that
 * carry a located Diagnostic (format them with formatDiagnostic).
 */
import { readFileSync } from "node:fs";
import * as errors from "./diagnostics/errors.js";
import { reason } from "./runtime/files.js";
import { parse } from "./dsl/parser.js";
import type { Program } from "./dsl/ast.js";
import type { Graph } from "./graph/ir.js";
import { differentiate } from "./autodiff/differentiate.js";
import { buildGraph } from "./graph/lower.js";

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
    const why = reason(e);
    return errors.cannotRead({ path, why });
  }
  // a byte-order mark is not part of the program (columns would be off by one)
  if (text.startsWith("\ufeff")) text = text.slice(1);
  if (text.includes("\u0000")) errors.notTextFile({ path });
  return compileText(text, path);
}

/**
 * The graph, if it asks for something: `run`, `check`, `compile`, `export` and `train`
 * need an output, a loss or a grad statement (`ir` and `render` show any graph).
 */
export function requireResults(graph: Graph): Graph {
  if (graph.outputs.length > 0 || graph.losses.length > 0 || graph.grads.length > 0) return graph;
  const span = { source: { file: graph.file, text: graph.text }, line: 1, col: 1, length: 1 };
  return errors.asksForNothing(span, { file: graph.file });
}
