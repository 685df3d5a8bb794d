/** Dead-code elimination: keep only what outputs, losses and requested gradients need. */
import type { Graph } from "../graph/ir.js";
import { rebuild } from "./rebuild.js";

export const dce = (g: Graph): Graph => rebuild(g);
