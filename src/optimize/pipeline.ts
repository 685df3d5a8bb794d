/** The optimizer: a named, ordered list of passes, each Graph → Graph in its own file. */
import type { Graph } from "../graph/ir.js";
import { verifyGraph, verifying } from "../graph/verify.js";
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { fold } from "./fold.js";
import { simplify } from "./simplify.js";

export interface Pass {
  readonly name: string;
  readonly run: (g: Graph) => Graph;
  readonly why: string;
}

export const passes: readonly Pass[] = [
  { name: "dce", run: dce, why: "compute only what outputs, losses and requested gradients need" },
  { name: "fold", run: fold, why: "evaluate constant subexpressions once, at compile time" },
  { name: "simplify", run: simplify, why: "remove identities that autodiff leaves behind (g·1, x+0, double transposes)" },
  { name: "fold-again", run: fold, why: "simplification exposes new constants" },
  { name: "cse", run: cse, why: "merge nodes that the rewrites made identical" },
];

export function optimize(g: Graph, list: readonly Pass[] = passes): Graph {
  const check = verifying();
  if (check) verified(g, "building the graph");
  return list.reduce((acc, p) => (check ? verified(p.run(acc), `the ${p.name} pass`) : p.run(acc)), g);
}

/** The graph, when the verifier finds it sound; else gradc's own bug, named by what made it. */
function verified(g: Graph, after: string): Graph {
  const broken = verifyGraph(g);
  if (broken) throw new Error(`internal error: after ${after}, the IR verifier found ${broken}`);
  return g;
}
