/**
 * Graphviz in a worker of its own: a layout of a long graph takes seconds, and the page
 * (the editor above all) stays responsive meanwhile. Each message is { id, dot }; the
 * answer { id, svg } or { id, error }.
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";

const loading = Graphviz.load();

self.addEventListener("message", (e: MessageEvent<{ id: number; dot: string }>) => {
  const { id, dot } = e.data;
  const reply = (m: { id: number; svg?: string; error?: string }) => (self as unknown as { postMessage(m: unknown): void }).postMessage(m);
  loading.then(
    (gv) => {
      try {
        reply({ id, svg: gv.dot(dot) });
      } catch (err) {
        reply({ id, error: err instanceof Error ? err.message : String(err) });
      }
    },
    (err: unknown) => reply({ id, error: String(err) }),
  );
});
