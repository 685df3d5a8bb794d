/** `gradc ir FILE`: the graph as text, one node a line. */
import { printGraph } from "../graph/print.js";
import { loadGraph } from "../index.js";

export function irCommand(file: string, opts: { backward?: boolean }): void {
  process.stdout.write(printGraph(loadGraph(file), { backward: opts.backward }));
}
