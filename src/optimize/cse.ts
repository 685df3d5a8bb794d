/**
 * Common-subexpression elimination. The builder hash-conses, so rebuilding the graph
 * after other rewrites merges any nodes those rewrites made identical.
 */
import type { Graph } from "../graph/ir.js";
import { rebuild } from "./rebuild.js";

export const cse = (g: Graph): Graph => rebuild(g);
