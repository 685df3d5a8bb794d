/**
 * The training panel: starts the worker on the graph in the editor when it has the
 * TwoLayerNet's MNIST shape (else on the TwoLayerNet example), draws the loss and test
 * accuracy as they come, and a grid of test digits with their predictions at the end.
 */
import type { Shown } from "../app.js";
import type { Digit, TrainMessage, TrainRequest } from "./protocol.js";
import { mnistShape } from "./shape.js";

const $ = (id: string) => document.getElementById(id)!;

export interface TrainingPanel {
  compiled(s: Shown, text: string): void;
}

interface Point {
  readonly iter: number;
  readonly loss: number;
  readonly testAccuracy?: number;
}

export function setupTraining(fallback: { text: string; file: string } | undefined): TrainingPanel {
  let graph = fallback;
  let worker: Worker | undefined;
  const button = $("train") as HTMLButtonElement;
  const status = $("train-status");
  const number = (id: string) => Number(($(id) as HTMLInputElement).value);
  // one thread by default: in a page the browser's own processes share the cores, and on 2 cores two threads were slower (docs/playground.md)
  ($("threads") as HTMLInputElement).max = String(Math.max(1, navigator.hardwareConcurrency || 1));
  button.addEventListener("click", () => {
    if (worker) {
      worker.terminate();
      worker = undefined;
      button.textContent = "train in a worker";
      status.textContent = "stopped";
      return;
    }
    if (!graph) return void (status.textContent = "no graph to train");
    const req: TrainRequest = { kind: "train", text: graph.text, file: graph.file, iters: number("iters"), batch: number("batch"), lr: number("lr"), seed: 1, data: new URL("mnist/", document.baseURI).href, threads: Math.max(1, Math.floor(number("threads"))) };
    const points: Point[] = [];
    delete status.dataset["testAccuracy"];
    delete status.dataset["threads"];
    worker = new Worker(new URL("train-worker.js", document.baseURI), { type: "module" });
    button.textContent = "stop";
    status.textContent = `starting (${graph.file})…`;
    worker.addEventListener("message", (e: MessageEvent<TrainMessage>) => {
      const m = e.data;
      if (m.kind === "status") status.textContent = m.text;
      else if (m.kind === "progress") {
        points.push(m);
        drawCurves(points, req.iters);
        const acc = points.findLast((p) => p.testAccuracy !== undefined)?.testAccuracy;
        status.textContent = `iteration ${m.iter} of ${req.iters} · loss ${m.loss.toFixed(3)}${acc !== undefined ? ` · test accuracy ${acc.toFixed(3)} (1000 images)` : ""} · ${(m.ms / 1000).toFixed(1)} s · ${threadsText(m.threads, m.wasm)}`;
      } else if (m.kind === "done") {
        points.push({ iter: m.iter, loss: points.at(-1)?.loss ?? NaN, testAccuracy: m.testAccuracy });
        drawCurves(points, req.iters);
        status.textContent = `done: ${m.iter} iterations in ${(m.ms / 1000).toFixed(1)} s (${threadsText(m.threads, m.wasm)}) · test accuracy ${m.testAccuracy.toFixed(4)} on ${m.tested} test images`;
        status.dataset["testAccuracy"] = String(m.testAccuracy);
        status.dataset["threads"] = String(m.threads);
        drawDigits(m.digits);
      } else status.textContent = `training failed: ${m.text}`;
      if (m.kind === "done" || m.kind === "error") {
        worker?.terminate();
        worker = undefined;
        button.textContent = "train in a worker";
      }
    });
    worker.postMessage(req);
  });
  return {
    compiled(s, text) {
      if (mnistShape(s.compiled.graph)) graph = { text, file: s.compiled.graph.file };
    },
  };
}

/** How the step ran: a team of threads, every kernel in WebAssembly, or the TypeScript module on one thread. */
const threadsText = (n: number, wasm: boolean) => `${n} thread${n > 1 ? "s" : ""}, ${wasm ? "every kernel in WebAssembly" : "the TypeScript module"}`;

function drawCurves(points: readonly Point[], iters: number): void {
  const c = $("curves") as HTMLCanvasElement;
  const ctx = c.getContext("2d")!;
  const [w, h, pad] = [c.width, c.height, 30];
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px sans-serif";
  ctx.strokeStyle = "#999";
  ctx.strokeRect(pad, 8, w - 2 * pad, h - pad - 8);
  const maxLoss = Math.max(2.5, ...points.map((p) => p.loss).filter(Number.isFinite));
  const x = (i: number) => pad + ((w - 2 * pad) * i) / Math.max(1, iters);
  const y = (v: number, top: number) => 8 + (h - pad - 8) * (1 - v / top);
  const line = (color: string, pts: readonly [number, number][]) => {
    ctx.strokeStyle = color;
    ctx.beginPath();
    pts.forEach(([a, b], i) => (i === 0 ? ctx.moveTo(a, b) : ctx.lineTo(a, b)));
    ctx.stroke();
  };
  line("#4a6fa5", points.filter((p) => Number.isFinite(p.loss)).map((p) => [x(p.iter), y(p.loss, maxLoss)]));
  line("#2e7d32", points.flatMap((p) => (p.testAccuracy === undefined ? [] : [[x(p.iter), y(p.testAccuracy, 1)] as [number, number]])));
  ctx.fillStyle = "#4a6fa5";
  ctx.fillText(`loss (0–${maxLoss.toFixed(1)})`, pad + 4, 20);
  ctx.fillStyle = "#2e7d32";
  ctx.fillText("test accuracy (0–1)", pad + 4, 34);
  ctx.fillStyle = "#555";
  ctx.fillText(`iteration (0–${iters})`, w / 2 - 40, h - 10);
}

function drawDigits(digits: readonly Digit[]): void {
  const grid = $("digits");
  grid.replaceChildren(
    ...digits.map((d) => {
      const fig = document.createElement("figure");
      fig.className = d.label === d.predicted ? "right" : "wrong";
      const c = document.createElement("canvas");
      c.width = 28;
      c.height = 28;
      const ctx = c.getContext("2d")!;
      const img = ctx.createImageData(28, 28);
      d.pixels.forEach((v, i) => img.data.set([255 - v, 255 - v, 255 - v, 255], i * 4));
      ctx.putImageData(img, 0, 0);
      const cap = document.createElement("figcaption");
      cap.textContent = d.label === d.predicted ? `${d.predicted}` : `${d.predicted} (is ${d.label})`;
      fig.append(c, cap);
      return fig;
    }),
  );
}
