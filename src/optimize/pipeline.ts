/** The optimizer: a named, ordered list of passes, each Graph → Graph in its own file. */
import { ancestors, type Graph, type Node } from "../graph/ir.js";
import { verifyGraph, verifying } from "../graph/verify.js";
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { fold } from "./fold.js";
import { roots } from "./rebuild.js";
import { simplify } from "./simplify.js";

/** One rewrite a pass applied: the node (inputs already rewritten) and what replaced it, by which rule. */
export interface Rewrite {
  readonly pass: string;
  /** the rule's short name (mul-one, fold) and how people write it (x*1 → x) */
  readonly rule: string;
  readonly identity: string;
  readonly node: Node;
  readonly by: Node;
}

/** Told of each rewrite as it is applied (gradc ir --rewrites); passes run the same without one. */
export type Trace = (r: Rewrite) => void;

export interface Pass {
  readonly name: string;
  readonly run: (g: Graph, trace?: Trace) => Graph;
  readonly why: string;
}

export const passes: readonly Pass[] = [
  { name: "dce", run: dce, why: "compute only what outputs, losses and requested gradients need" },
  { name: "fold", run: fold, why: "evaluate constant subexpressions once, at compile time" },
  { name: "simplify", run: simplify, why: "remove identities that autodiff leaves behind (g·1, x+0, double transposes)" },
  { name: "fold-again", run: fold, why: "simplification exposes new constants" },
  { name: "cse", run: cse, why: "merge nodes that the rewrites made identical" },
];

/** Each pass's effect: the rewrites it applied, and the graph's node count before and after it. */
export interface PassReport {
  readonly pass: Pass;
  /** the graph the pass made: its nodes are the ones the rewrites name */
  readonly graph: Graph;
  readonly before: number;
  readonly after: number;
  readonly rewrites: readonly Rewrite[];
}

export function optimize(g: Graph, list: readonly Pass[] = passes, report?: PassReport[]): Graph {
  const check = verifying();
  if (check) verified(g, "building the graph");
  return list.reduce((acc, p) => {
    const rewrites: Rewrite[] = [];
    const out = p.run(acc, report ? (r) => rewrites.push(r) : undefined);
    report?.push({ pass: p, graph: out, before: live(acc), after: live(out), rewrites });
    return check ? verified(out, `the ${p.name} pass`) : out;
  }, g);
}

/** The nodes a graph computes or reads: what its outputs, losses and gradients need. */
const live = (g: Graph): number => ancestors(roots(g)).length;

/** The graph, when the verifier finds it sound; else gradc's own bug, named by what made it. */
function verified(g: Graph, after: string): Graph {
  const broken = verifyGraph(g);
  if (broken) throw new Error(`internal error: after ${after}, the IR verifier found ${broken}`);
  return g;
}
