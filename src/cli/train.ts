/**
 * `gradc train [FILE]`: trains a compiled classifier on MNIST with a progress bar,
 * the textbook's per-epoch accuracies, and results in runs/NAME/: a checkpoint,
 * metrics as JSON lines, and the learning curves as SVG.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join } from "node:path";
import cliProgress from "cli-progress";
import * as errors from "../diagnostics/errors.js";
import { loadGraph } from "../pipeline.js";
import { defaultGraph } from "./examples.js";
import { curvesSvg } from "../runtime/curves.js";
import { isCheckpointHead, loadCheckpoint } from "../runtime/checkpoint.js";
import { MARKS, markSvg, reason, writeAtomic, writeOutput } from "../runtime/files.js";
import { classifier, type Classifier } from "../runtime/model.js";
import { batchSplit } from "../graph/batch.js";
import type { Graph } from "../graph/ir.js";
import { loadCompiled } from "../runtime/load.js";
import { defaultDataDir, loadMnist } from "../runtime/mnist.js";
import { DEFAULT_LR, type OptimizerName } from "../runtime/optimizers.js";
import { train, type EpochRecord, type Reporter } from "../runtime/train.js";

export interface TrainFlags {
  readonly iters: number;
  readonly batch: number;
  readonly lr?: number;
  readonly optimizer: string;
  readonly data?: string;
  readonly seed: number;
  readonly out?: string;
  readonly resume?: boolean;
  readonly evalLimit?: number;
  readonly checkNumerics?: boolean;
  readonly simd?: boolean;
  readonly force?: boolean;
  /** threads sharing each step (default: the machine's cores, where the step splits by rows) */
  readonly threads?: number;
}

export async function trainCommand(file: string | undefined, f: TrainFlags): Promise<void> {
  const path = file ?? defaultGraph();
  if (!["sgd", "momentum", "adam"].includes(f.optimizer)) errors.unknownOptimizer({ name: f.optimizer });
  if (!(f.iters >= 1) || !(f.batch >= 1)) errors.itersAndBatchPositive();
  if (f.lr !== undefined && !(Number.isFinite(f.lr) && f.lr > 0)) errors.lrPositive({ lr: f.lr });
  const graph = loadGraph(path);
  const module = await loadCompiled(graph, f.simd ? { simd: true } : {});
  // the graph must fit training before anything is printed or created
  const model = classifier(graph, module, f.seed);
  const threads = threadsFor(graph, model, f.threads);
  const data = loadMnist(f.data ?? defaultDataDir());
  const dir = runFolder(path, f);
  if (!f.force) guardRunFiles(dir);
  const checkpoint = join(dir, "checkpoint.bin");
  const resumed = f.resume ? loadCheckpoint(checkpoint, graph, `nothing to resume in ${dir} (gradc train ${path} without --resume starts a run)`) : undefined;
  if (resumed && resumed.iteration >= f.iters) {
    process.stdout.write(`${dir} is already at iteration ${resumed.iteration} of ${f.iters}: nothing to do (ask for more with --iters)\n`);
    return;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    errors.cannotCreate({ dir, why: reason(e) });
  }
  lockRun(dir);
  const metrics = join(dir, "metrics.jsonl");
  if (!f.resume) writeFileSync(metrics, "");
  const optimizer = resumed ? resumed.optimizer.name : f.optimizer;
  const lr = resumed ? resumed.optimizer.lr : (f.lr ?? DEFAULT_LR[f.optimizer as OptimizerName]);
  const from = resumed ? `resuming ${dir} at iteration ${resumed.iteration} · ` : "";
  process.stdout.write(`training ${path} on MNIST (${data.train.count} train, ${data.test.count} test images) · ${from}${f.simd ? "every kernel in WebAssembly (--simd) · " : ""}${threads > 1 ? `${threads} threads · ` : ""}${optimizer}, lr ${lr}, batch ${f.batch}, ${f.iters} iterations, seed ${f.seed}\n`);
  if (resumed && (f.optimizer !== optimizer || (f.lr !== undefined && f.lr !== lr))) {
    process.stdout.write(`(--resume continues with the checkpoint's ${optimizer}, lr ${lr}; --optimizer and --lr apply to new runs)\n`);
  }
  const result = await train(graph, module, data, { ...f, optimizer: f.optimizer as OptimizerName, dir, threads }, reporter((r) => appendFileSync(metrics, JSON.stringify(r) + "\n")));
  const title = `${basename(path)} · ${optimizer} · test accuracy ${result.testAcc.toFixed(4)}`;
  const losses = wholeRunLosses(dir, resumed?.iteration ?? 0, result.losses);
  const epochs = readFileSync(metrics, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as EpochRecord);
  writeOutput(join(dir, "curves.svg"), markSvg(curvesSvg({ losses, epochs, title })), { kind: "svg", force: true });
  if (result.stoppedAt) {
    const where = result.stoppedAt.where ? `; the first value that is not finite comes from ${result.stoppedAt.where}` : "";
    process.stderr.write(`gradc: the loss became ${result.stoppedAt.loss} at iteration ${result.stoppedAt.iteration}${where}; stopped (--check-numerics)\n`);
    process.exitCode = 1;
  }
  if (result.epochs.length === 0) {
    process.stdout.write(`no evaluation was reached (${result.seconds.toFixed(1)} s); wrote ${join(dir, "curves.svg")}\n`);
    return;
  }
  process.stdout.write(`train acc ${result.trainAcc.toFixed(4)}  test acc ${result.testAcc.toFixed(4)}  ${result.seconds.toFixed(1)} s\n`);
  process.stdout.write(`wrote ${checkpoint}, ${metrics}, ${join(dir, "losses.f32")}, ${join(dir, "curves.svg")}\n`);
}

/**
 * How many threads share each step: as asked (an error where the step cannot split by rows),
 * else the machine's cores where it can, else 1.
 */
function threadsFor(graph: Graph, model: Classifier, asked: number | undefined): number {
  if (asked === 1) return 1;
  const loss = graph.losses.find((l) => l.name === model.loss)!.node;
  const split = batchSplit(graph, model.dim, loss);
  if (asked === undefined) return split.ok ? availableParallelism() : 1;
  if (!split.ok) errors.cannotSplitBatch(split.node.span, { threads: asked, why: split.why });
  return asked;
}

/**
 * Every iteration's loss since the run began: the earlier part from losses.f32 (what a
 * resumed run had; NaN where it is missing), then this part; saved back for the next resume.
 */
function wholeRunLosses(dir: string, from: number, now: Float32Array): Float32Array {
  const file = join(dir, "losses.f32");
  const all = new Float32Array(from + now.length).fill(NaN);
  if (from > 0 && existsSync(file)) {
    const bytes = readFileSync(file);
    const n = Math.min(from, Math.floor(bytes.length / 4));
    // copied out: a small file's Buffer may start at an offset that is not a multiple of 4
    const before = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 4 * n));
    all.set(before);
  }
  all.set(now, from);
  writeAtomic(file, new Uint8Array(all.buffer));
  return all;
}

/** The files a run writes in its folder: a file of that name that gradc did not write is refused, not replaced. */
function guardRunFiles(dir: string): void {
  const ours: Record<string, (head: string) => boolean> = {
    "metrics.jsonl": (h) => h === "" || h.startsWith('{"epoch":'),
    "curves.svg": (h) => h.includes(MARKS.svg),
    "checkpoint.bin": isCheckpointHead,
  };
  for (const [name, isOurs] of Object.entries(ours)) {
    const at = join(dir, name);
    if (existsSync(at) && statSync(at).isFile() && !isOurs(readFileSync(at).subarray(0, 4096).toString("latin1"))) {
      errors.refuseToOverwriteInRun({ path: at });
    }
  }
}

/**
 * One run at a time in a folder: a lock file holding the pid, taken atomically (O_EXCL),
 * removed when the process exits; a lock whose process is gone is taken over, and the
 * temporary files a killed run left are removed.
 */
function lockRun(dir: string): void {
  const lock = join(dir, "run.lock");
  const take = () => writeFileSync(lock, String(process.pid), { flag: "wx" });
  try {
    take();
  } catch {
    const pid = Number(readFileSync(lock, "utf8"));
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) errors.runInUse({ dir, pid });
    rmSync(lock, { force: true });
    take();
  }
  process.on("exit", () => rmSync(lock, { force: true }));
  for (const f of readdirSync(dir)) if (/\.\d+\.tmp$/.test(f)) rmSync(join(dir, f), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Where a run's results go. An earlier run's results are never replaced unasked: the
 * default folder runs/NAME is followed by runs/NAME-2, runs/NAME-3 … when it holds a
 * checkpoint; a folder named with --out that holds one is refused unless --resume
 * continues it or --force replaces it.
 */
function runFolder(path: string, f: TrainFlags): string {
  const held = (dir: string) => existsSync(join(dir, "checkpoint.bin"));
  if (f.out) {
    if (existsSync(f.out) && !statSync(f.out).isDirectory()) errors.outIsFile({ path: f.out });
    if (held(f.out) && !f.resume && !f.force) errors.earlierRun({ dir: f.out });
    return f.out;
  }
  const base = join("runs", basename(path).replace(/\.graph$/, ""));
  if (f.resume || f.force || !held(base)) return base;
  let k = 2;
  while (held(`${base}-${k}`)) k++;
  process.stdout.write(`${base} holds an earlier run, kept as it is: this run goes to ${base}-${k} (--out DIR to choose, --resume to continue ${base})\n`);
  return `${base}-${k}`;
}

/** A progress bar on a terminal; in logs, a line every few seconds and one per epoch. */
function reporter(record: (r: EpochRecord) => void): Reporter {
  const multi = new cliProgress.MultiBar(
    {
      format: " {bar} {value}/{total} iters · loss {loss} · {speed} it/s · epoch {epoch}",
      barsize: 30,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let t0 = 0;
  let from = 0;
  let last = 0;
  let epoch = 0;
  let latest = { iteration: 0, loss: NaN };
  let lastPlain = 0;
  const tty = process.stderr.isTTY === true;
  const draw = (now: number) => {
    const speed = ((latest.iteration - from) / ((now - t0) / 1000)).toFixed(0);
    bar?.update(latest.iteration, { loss: latest.loss.toFixed(4), speed, epoch });
    // the training loop never yields, so cli-progress's redraw timer never fires: redraw here,
    // every 100 ms on a terminal, every 10 s in a log
    if (tty || now - lastPlain >= 10_000) {
      lastPlain = now;
      multi.update();
    }
  };
  return {
    start(total, start) {
      t0 = performance.now();
      from = start;
      bar = multi.create(total, start, { loss: "-", speed: "-", epoch: 0 });
    },
    tick(iteration, loss) {
      latest = { iteration, loss };
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      draw(now);
    },
    epoch(r) {
      epoch = r.epoch;
      const line = `epoch ${String(r.epoch).padStart(2)} · iteration ${String(r.iteration).padStart(5)} · train acc, test acc | ${r.trainAcc.toFixed(4)}, ${r.testAcc.toFixed(4)} · ${r.seconds.toFixed(1)} s\n`;
      // the bar lives on stderr; on a terminal, log above it, else the line goes to stdout
      if (tty) {
        multi.log(line);
        multi.update(); // writes the line above the bar now, not when the run ends
      } else process.stdout.write(line);
      record(r);
    },
    stop() {
      // the last iterations may have come within 100 ms of the last drawing: draw where it ended
      draw(performance.now());
      multi.stop();
    },
  };
}
