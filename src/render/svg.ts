/**
 * DOT → SVG with Graphviz compiled to WebAssembly; the only module that loads
 * Graphviz. It runs in a worker with a 256 MB stack (see graphviz-worker.mjs), kept
 * for the life of the process but never holding it open.
 */
import { Worker } from "node:worker_threads";

let worker: Worker | undefined;
let next = 0;
const waiting = new Map<number, { resolve: (svg: string) => void; reject: (e: Error) => void }>();

function start(): Worker {
  const w = new Worker(new URL("./graphviz-worker.mjs", import.meta.url), { resourceLimits: { stackSizeMb: 256 } });
  w.on("message", (m: { id: number; svg?: string; error?: string }) => {
    const p = waiting.get(m.id);
    waiting.delete(m.id);
    if (waiting.size === 0) w.unref();
    if (m.error !== undefined) p?.reject(new Error(`Graphviz: ${m.error}`));
    else p?.resolve(m.svg!);
  });
  w.on("error", (e) => {
    for (const p of waiting.values()) p.reject(e);
    waiting.clear();
    worker = undefined;
  });
  return w;
}

export function dotToSvg(dot: string): Promise<string> {
  worker ??= start();
  const w = worker;
  const id = next++;
  w.ref();
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, dot });
  });
}
