/**
 * The compiler in the page: `.graph` text → the differentiated graph, its default bindings
 * and every value the diagram shows, or the located diagnostic of the first error — the
 * same message `gradc` prints, at the same line:col. Pure core (no DOM), so Node tests
 * run it too.
 */
import { GradcError, type Diagnostic } from "../../diagnostics/index.js";
import { parse } from "../../dsl/parser.js";
import { buildGraph } from "../../graph/lower.js";
import { differentiate } from "../../autodiff/differentiate.js";
import { edgeGradients } from "../../autodiff/edges.js";
import { ancestors, type Graph, type Node } from "../../graph/ir.js";
import { evaluate, type Bindings } from "../../interp/index.js";
import { bind } from "../../runtime/bind.js";
import { terminals } from "../../render/parts.js";
import type { Tensor } from "../../tensor/tensor.js";


export interface Compiled {
  readonly ok: true;
  readonly graph: Graph;
  readonly env: Bindings;
  /** node id → value: every forward node and every gradient sent along an edge */
  readonly values: ReadonlyMap<number, Tensor>;
}

export interface Failed {
  readonly ok: false;
  readonly diagnostic: Diagnostic;
}

/** Compiles and evaluates; a user's mistake is a Failed with its diagnostic (our own bug still throws). */
export function compileSource(text: string, file: string, seed = 1): Compiled | Failed {
  try {
    const graph = differentiate(buildGraph(parse({ file, text }), text));
    const env = bind(graph, { seed });
    return { ok: true, graph, env, values: evaluate(shown(graph), env) };
  } catch (e) {
    if (e instanceof GradcError) return { ok: false, diagnostic: e.diagnostic };
    throw e;
  }
}

/** The nodes a diagram writes values for: outputs, losses, requested gradients and per-edge gradients. */
function shown(g: Graph): Node[] {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const roots = terminals(g).map((d) => d.node);
  const grads = [...g.grads.flatMap((d) => (d.node ? [d.node] : [])), ...[...edgeGradients(g).values()].map((id) => byId.get(id)!)];
  return ancestors([...roots, ...grads]);
}
