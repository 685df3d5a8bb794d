/**
 * `gradc predict [FILE]`: a checkpoint's accuracy on the MNIST test set, and a few
 * test images drawn in the terminal with the network's guess beside the truth.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { loadGraph } from "../pipeline.js";
import { loadCheckpoint } from "../runtime/checkpoint.js";
import { loadCompiled } from "../runtime/load.js";
import { defaultDataDir, fillBatch, loadMnist, type Split } from "../runtime/mnist.js";
import { accuracy, batch, classifier } from "../runtime/model.js";
import type { FloatArray } from "../runtime/optimizers.js";

export interface PredictFlags {
  readonly checkpoint?: string;
  readonly data?: string;
  readonly show: number;
}

export async function predictCommand(file: string, f: PredictFlags): Promise<void> {
  const graph = loadGraph(file);
  const path = f.checkpoint ?? newestRun(basename(file).replace(/\.graph$/, ""));
  const saved = loadCheckpoint(path, graph, f.checkpoint ? undefined : `train it first (gradc train ${file})`);
  const model = classifier(graph, await loadCompiled(graph), 0);
  for (const [n, a] of Object.entries(saved.params)) model.params[n]!.set(a);
  const data = loadMnist(f.data ?? defaultDataDir());
  const acc = accuracy(model, batch(model, 500), data.test);
  process.stdout.write(`${path} (iteration ${saved.iteration}): test accuracy ${acc.toFixed(4)} on ${data.test.count} images\n`);
  if (f.show <= 0) return;
  const b = batch(model, f.show);
  for (let i = 0; i < f.show; i++) b.indices[i] = i;
  fillBatch(data.test, b.indices, b.x, b.t);
  const scores = model.module.forward(b.ws, b.inputs, model.params)[model.score] as FloatArray;
  const classes = scores.length / f.show;
  const pictures: string[][] = [];
  for (let i = 0; i < f.show; i++) {
    const row = scores.subarray(i * classes, (i + 1) * classes);
    const guess = row.indexOf(Math.max(...row));
    const mark = guess === b.t[i] ? "✓" : "✗";
    pictures.push([`#${i} guess ${guess} ${mark} (true ${b.t[i]})`.padEnd(28), ...drawDigit(data.test, i)]);
  }
  for (let start = 0; start < pictures.length; start += 4) {
    const group = pictures.slice(start, start + 4);
    for (let line = 0; line < group[0]!.length; line++) process.stdout.write(group.map((p) => p[line]!.padEnd(30)).join("").trimEnd() + "\n");
  }
}

/**
 * The checkpoint of the newest run of a graph: train writes runs/NAME, then runs/NAME-2,
 * runs/NAME-3 … beside earlier runs, and --resume rewrites one; the most recently written wins.
 */
export function newestRun(name: string, root = "runs"): string {
  const runs = existsSync(root) ? readdirSync(root).filter((d) => d === name || (d.startsWith(`${name}-`) && /^\d+$/.test(d.slice(name.length + 1)))) : [];
  const written = runs.map((d) => join(root, d, "checkpoint.bin")).filter((p) => existsSync(p)).map((p) => ({ p, t: statSync(p).mtimeMs }));
  written.sort((a, b) => b.t - a.t || b.p.localeCompare(a.p));
  return written[0]?.p ?? join(root, name, "checkpoint.bin");
}

/** A 28×28 digit as 14 lines of 28 characters, two pixel rows per line. */
export function drawDigit(s: Split, index: number): string[] {
  const shades = " .:-=+*#%@";
  const lines: string[] = [];
  for (let r = 0; r < 28; r += 2) {
    let line = "";
    for (let c = 0; c < 28; c++) {
      const v = Math.max(s.pixels[index * 784 + r * 28 + c]!, s.pixels[index * 784 + (r + 1) * 28 + c]!);
      line += shades[Math.min(shades.length - 1, Math.floor((v / 256) * shades.length))];
    }
    lines.push(line);
  }
  return lines;
}
