// Graphviz (WebAssembly) in a worker thread with a large stack: dot's layout recurses
// as deep as the graph is long, and the main thread's stack overflows near 500 ranks.
// Plain JavaScript, because a TypeScript worker entry cannot load under tsx on Node 20.
import { parentPort } from "node:worker_threads";
import { Graphviz } from "@hpcc-js/wasm-graphviz";

const graphviz = await Graphviz.load();
parentPort.on("message", ({ id, dot }) => {
  try {
    parentPort.postMessage({ id, svg: graphviz.dot(dot, "svg") });
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
