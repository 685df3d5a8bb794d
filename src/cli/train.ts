/**
 * `gradc train [FILE]`: trains a compiled classifier on MNIST with a progress bar,
 * the textbook's per-epoch accuracies, and results in runs/NAME/: a checkpoint,
 * metrics as JSON lines, and the learning curves as SVG.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import cliProgress from "cli-progress";
import { codes, fail } from "../diagnostics/index.js";
import { loadGraph } from "../pipeline.js";
import { curvesSvg } from "../runtime/curves.js";
import { writeAtomic } from "../runtime/files.js";
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
}

export async function trainCommand(file: string | undefined, f: TrainFlags): Promise<void> {
  const path = file ?? "graphs/two_layer_net.graph";
  if (!["sgd", "momentum", "adam"].includes(f.optimizer)) fail(codes.cli, `unknown optimizer '${f.optimizer}' (expected sgd, momentum or adam)`);
  if (!(f.iters >= 1) || !(f.batch >= 1)) fail(codes.cli, `--iters and --batch need positive integers`);
  const graph = loadGraph(path);
  const module = await loadCompiled(graph, f.simd ? { simd: true } : {});
  const data = loadMnist(f.data ?? defaultDataDir());
  const dir = f.out ?? join("runs", basename(path).replace(/\.graph$/, ""));
  mkdirSync(dir, { recursive: true });
  const metrics = join(dir, "metrics.jsonl");
  if (!f.resume) writeFileSync(metrics, "");
  process.stdout.write(`training ${path} on MNIST (${data.train.count} train, ${data.test.count} test images) · ${f.simd ? "WebAssembly SIMD matmuls · " : ""}${f.optimizer}, lr ${f.lr ?? DEFAULT_LR[f.optimizer as OptimizerName]}, batch ${f.batch}, ${f.iters} iterations, seed ${f.seed}\n`);
  const result = train(graph, module, data, { ...f, optimizer: f.optimizer as OptimizerName, dir }, reporter((r) => appendFileSync(metrics, JSON.stringify(r) + "\n")));
  const title = `${basename(path)} · ${f.optimizer} · test accuracy ${result.testAcc.toFixed(4)}`;
  writeAtomic(join(dir, "curves.svg"), curvesSvg({ losses: result.losses, epochs: result.epochs, title }));
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
  process.stdout.write(`wrote ${join(dir, "checkpoint.bin")}, ${metrics}, ${join(dir, "curves.svg")}\n`);
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
