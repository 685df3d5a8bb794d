/**
 * The IDX format of MNIST: a big-endian header (magic 2051 for images, 2049 for
 * labels, then the sizes) and unsigned bytes. Plain or gzipped files. Every way a
 * file can be wrong is a clear error naming the file.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import * as errors from "../diagnostics/errors.js";
import { reason } from "./files.js";

export const IMAGES_MAGIC = 2051;
export const LABELS_MAGIC = 2049;
/** The most bytes an IDX file may hold once decompressed: 512 MiB, eleven times MNIST's training images. */
export const MAX_IDX_BYTES = 512 * 2 ** 20;

export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count · rows · cols bytes, 0..255 */
  readonly pixels: Uint8Array;
}

export interface IdxLabels {
  readonly count: number;
  readonly labels: Uint8Array;
}

function read(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const why = reason(e);
    return errors.cannotRead({ path, why });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // a 1 MB gzip bomb expanded to 3.1 GB: decompression stops at the limit
      return gunzipSync(bytes, { maxOutputLength: MAX_IDX_BYTES });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        return errors.idxTooLarge({ path, mib: MAX_IDX_BYTES / 2 ** 20 });
      }
      return errors.brokenGzip({ path, detail: (e as Error).message });
    }
  }
  return bytes;
}

function header(path: string, bytes: Uint8Array, magic: number, dims: number): number[] {
  if (bytes.length < 4) errors.idxTooShort({ path, bytes: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    const what = (m: number) => (m === IMAGES_MAGIC ? "images (2051)" : m === LABELS_MAGIC ? "labels (2049)" : String(m));
    errors.idxWrongMagic({ path, expected: what(magic), found: what(found) });
  }
  if (bytes.length < 4 + 4 * dims) errors.idxTooShort({ path, bytes: bytes.length });
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
}

export function readImages(path: string): IdxImages {
  const bytes = read(path);
  const [count, rows, cols] = header(path, bytes, IMAGES_MAGIC, 3) as [number, number, number];
  const size = count * rows * cols;
  if (bytes.length < 16 + size) errors.idxTruncatedImages({ path, count, rows, cols, held: bytes.length - 16, size });
  return { count, rows, cols, pixels: bytes.subarray(16, 16 + size) };
}

export function readLabels(path: string): IdxLabels {
  const bytes = read(path);
  const [count] = header(path, bytes, LABELS_MAGIC, 1) as [number];
  if (bytes.length < 8 + count) errors.idxTruncatedLabels({ path, count, held: bytes.length - 8 });
  const labels = bytes.subarray(8, 8 + count);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) errors.idxBadLabel({ path, index: bad, label: labels[bad]! });
  return { count, labels };
}
