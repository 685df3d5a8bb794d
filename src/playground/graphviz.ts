/** DOT → SVG in the page: Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz), loaded once. */
import { Graphviz } from "@hpcc-js/wasm-graphviz";

let loading: Promise<Graphviz> | undefined;

/** Starts loading Graphviz (its WebAssembly compiles while the page fetches the rest). */
export function preloadGraphviz(): void {
  loading ??= Graphviz.load();
}

export async function dotToSvg(dot: string): Promise<string> {
  loading ??= Graphviz.load();
  return (await loading).dot(dot);
}
