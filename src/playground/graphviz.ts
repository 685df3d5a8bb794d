/**
 * DOT → SVG in the page: Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz). A small
 * graph is laid out on the page's own thread (tens of milliseconds; and a crawler that
 * dumps the DOM after the page settles sees it: its virtual time does not wait for
 * workers); a large one in a worker (graphviz-worker.ts), so a layout of seconds never
 * freezes the editor. Both load the same module, which the bundle shares.
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";

/** Graphs of more nodes than this are laid out in the worker. */
export const WORKER_ABOVE = 120;

let here: Promise<Graphviz> | undefined;
let worker: Worker | undefined;
let next = 0;
const waiting = new Map<number, { resolve: (svg: string) => void; reject: (e: Error) => void }>();

/** Starts loading Graphviz: its WebAssembly compiles while the page fetches the rest. */
export function preloadGraphviz(): void {
  here ??= Graphviz.load();
}

export async function dotToSvg(dot: string, nodes: number): Promise<string> {
  if (nodes > WORKER_ABOVE) return inWorker(dot);
  preloadGraphviz();
  return (await here!).dot(dot);
}

function startWorker(): Worker {
  const w = new Worker(new URL("graphviz-worker.js", document.baseURI), { type: "module" });
  w.addEventListener("message", (e: MessageEvent<{ id: number; svg?: string; error?: string }>) => {
    const p = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (e.data.svg !== undefined) p?.resolve(e.data.svg);
    else p?.reject(new Error(`Graphviz: ${e.data.error ?? "no answer"}`));
  });
  w.addEventListener("error", (e) => {
    for (const p of waiting.values()) p.reject(new Error(`Graphviz: ${e.message}`));
    waiting.clear();
    worker = undefined;
  });
  return w;
}

function inWorker(dot: string): Promise<string> {
  const w = (worker ??= startWorker());
  const id = next++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, dot });
  });
}
