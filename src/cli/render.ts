/** `gradc render FILE`: the graph as an SVG diagram (or DOT text with --dot). */
import { basename, join } from "node:path";
import type { Graph } from "../graph/ir.js";
import { loadGraph } from "../pipeline.js";
import { renderDot as dotOf } from "../render/index.js";
import { bind } from "../runtime/bind.js";
import { VERSION } from "../codegen/header.js";
import { MARKS, markSvg, writeOutput } from "../runtime/files.js";
import { drawnAtRandom, givenValues, type ValueOptions } from "./options.js";

export interface RenderFlags extends ValueOptions {
  readonly output?: string;
  readonly backward?: boolean;
  readonly values?: boolean;
  readonly optimized?: boolean;
  readonly dot?: boolean;
  readonly force?: boolean;
}

export async function renderCommand(file: string, f: RenderFlags): Promise<void> {
  const dot = renderDot(loadGraph(file), f);
  const inputs = [file, ...(f.inputs ? [f.inputs] : [])];
  if (f.dot) {
    if (f.output) writeOutput(f.output, `${MARKS.dot} ${VERSION}\n${dot}`, { kind: "dot", force: f.force, inputs });
    else process.stdout.write(dot);
    return;
  }
  const { dotToSvg } = await import("../render/svg.js");
  // each kind of figure has a name of its own, so drawing one does not replace another
  const kind = [f.optimized && "optimized", f.backward && "backward", f.values && "values"].filter(Boolean).join(".");
  const out = f.output ?? join("runs", `${basename(file).replace(/\.graph$/, "")}${kind ? `.${kind}` : ""}.svg`);
  writeOutput(out, markSvg(await dotToSvg(dot)), { kind: "svg", force: f.force, inputs });
  process.stdout.write(`wrote ${out}\n`);
}

/** The DOT text of a graph as the flags ask: optimized or not, with values and gradients or not. */
export function renderDot(graph: Graph, f: RenderFlags): string {
  const given = givenValues(f);
  const values = f.values ? bind(graph, { given, seed: f.seed }) : undefined;
  return dotOf(graph, { backward: f.backward, optimized: f.optimized, values, caption: values ? drawnAtRandom(graph, given, f.seed) : undefined });
}
