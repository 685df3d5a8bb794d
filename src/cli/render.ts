/** `gradc render FILE`: the graph as an SVG diagram (or DOT text with --dot). */
import { basename, join } from "node:path";
import { kernelName, labelsOf } from "../codegen/naming.js";
import { ancestors, type Graph } from "../graph/ir.js";
import type { Tensor } from "../graph/tensor.js";
import { loadGraph } from "../index.js";
import { evaluate } from "../interp/index.js";
import { plan } from "../optimize/fuse.js";
import { optimize } from "../optimize/pipeline.js";
import { roots } from "../optimize/rebuild.js";
import { toDot } from "../render/dot.js";
import { bind } from "../runtime/bind.js";
import { writeAtomic } from "../runtime/files.js";
import { givenValues, type ValueOptions } from "./options.js";

export interface RenderFlags extends ValueOptions {
  readonly output?: string;
  readonly backward?: boolean;
  readonly values?: boolean;
  readonly optimized?: boolean;
  readonly dot?: boolean;
}

export async function renderCommand(file: string, f: RenderFlags): Promise<void> {
  const dot = renderDot(loadGraph(file), f);
  if (f.dot) {
    if (f.output) writeAtomic(f.output, dot);
    else process.stdout.write(dot);
    return;
  }
  const { dotToSvg } = await import("../render/svg.js");
  const out = f.output ?? join("runs", `${basename(file).replace(/\.graph$/, "")}${f.backward ? ".backward" : ""}.svg`);
  writeAtomic(out, await dotToSvg(dot));
  process.stdout.write(`wrote ${out}\n`);
}

/** The DOT text of a graph as the flags ask: optimized or not, with values and gradients or not. */
export function renderDot(source: Graph, f: RenderFlags): string {
  const g = f.optimized ? optimize(source) : source;
  const labels = labelsOf(g);
  const kernels = f.optimized ? plan(roots(g)).kernels.map((k) => ({ name: kernelName(k, (n) => labels.get(n.id) ?? `t${n.id}`), nodes: k.nodes })) : undefined;
  let values: Map<number, Tensor> | undefined;
  if (f.values) {
    const env = bind(g, { given: givenValues(f), seed: f.seed });
    const all = [...roots(g), ...ancestors(roots(g)), ...[...g.edgeGrads.values()].flatMap((id) => g.nodes.filter((n) => n.id === id))];
    values = evaluate(all, env);
  }
  return toDot(g, { backward: f.backward, values, kernels, labels });
}
