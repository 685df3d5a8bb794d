/**
 * Drawing a batch fast: a split's pixels live in a WebAssembly memory, and a small kernel
 * (written with codegen/wasm.ts) turns the chosen images into float32 in [0, 1], sixteen
 * pixels at a time: bytes widened to i32x4 lanes, converted, divided by 255 in f32x4. A
 * float32 division is rounded once from the exact v / 255, and for every byte v that is the
 * float64 quotient rounded to float32, which the plain loop computes (tested for all 256).
 * Used for float32 batches of up to CAPACITY images; anything else takes the plain loop.
 */
/// <reference path="../webassembly.d.ts" />
import { add, get, i32, MAX_PAGES, set, wasmBinary, type Instr, type WasmFunction } from "../codegen/wasm.js";

/** the most images one call gathers */
export const CAPACITY = 1000;
const IMAGE = 784;
const INDICES = 0; // CAPACITY int32
const OUT = INDICES + 4 * CAPACITY; // CAPACITY images of float32
const PIXELS = OUT + 4 * IMAGE * CAPACITY;

/** 16 pixels of one image widened to four f32x4 of v / 255, read at $from{k} + $p, stored at $to{k} + 4·$p (offsets 0, 16, 32, 48). */
function sixteen(k: number): Instr[] {
  const at = add(get(`$to${k}`), ["i32.shl", get("$p"), i32(2)]);
  const quotient = (lanes: Instr): Instr => ["f32x4.div", ["f32x4.convert_i32x4_u", lanes], ["f32x4.splat", ["f32.const", 255]]];
  const store = (offset: number, half: Instr): Instr => ["v128.store", { offset }, at, quotient(half)];
  return [
    set("$v", ["v128.load", add(get(`$from${k}`), get("$p"))]),
    set("$h", ["i16x8.extend_low_i8x16_u", get("$v")]),
    store(0, ["i32x4.extend_low_i16x8_u", get("$h")]),
    store(16, ["i32x4.extend_high_i16x8_u", get("$h")]),
    set("$h", ["i16x8.extend_high_i8x16_u", get("$v")]),
    store(32, ["i32x4.extend_low_i16x8_u", get("$h")]),
    store(48, ["i32x4.extend_high_i16x8_u", get("$h")]),
  ];
}

/** images drawn at once: each starts far from the last in memory, and one image at a time waits for each of its cache lines */
const WAYS = 4;

/** `$b` images from image `$b` on, `ways` at a time: their addresses, then their pixels sixteen at a time, side by side. */
function images(ways: number): Instr[] {
  const ks = Array.from({ length: ways }, (_, k) => k);
  return [["block", `$done${ways}`, ["loop", `$images${ways}`,
    ["br_if", `$done${ways}`, ["i32.gt_u", add(get("$b"), i32(ways)), get("$count")]],
    ...ks.flatMap((k): Instr[] => [
      set(`$from${k}`, add(get("$pixels"), ["i32.mul", ["i32.load", { offset: 4 * k }, add(get("$indices"), ["i32.shl", get("$b"), i32(2)])], i32(IMAGE)])),
      set(`$to${k}`, add(get("$out"), ["i32.mul", add(get("$b"), i32(k)), i32(4 * IMAGE)])),
    ]),
    set("$p", i32(0)),
    ["loop", `$pixels${ways}`,
      ...ks.flatMap((k) => sixteen(k)),
      ["br_if", `$pixels${ways}`, ["i32.lt_u", ["local.tee", "$p", add(get("$p"), i32(16))], i32(IMAGE)]]],
    set("$b", add(get("$b"), i32(ways))),
    ["br", `$images${ways}`]]]];
}

/**
 * gather($count, $indices, $out, $pixels): out[b, p] = pixels[indices[b] · 784 + p] / 255 for b < count (byte offsets;
 * 784 = 49 · 16): four images at a time, so that the memory fetches four of them at once; the last count mod 4 one at a time.
 */
const kernel: WasmFunction = {
  name: "gather",
  params: [["$count", "i32"], ["$indices", "i32"], ["$out", "i32"], ["$pixels", "i32"]],
  locals: [["$b", "i32"], ["$p", "i32"], ...Array.from({ length: WAYS }, (_, k) => [[`$from${k}`, "i32"], [`$to${k}`, "i32"]] as const).flat(), ["$v", "v128"], ["$h", "v128"]],
  body: [...images(WAYS), ...images(1)],
};

/** The kernel, for the tests: they assemble its listing with wabt and run it on every byte. */
export const GATHER_KERNEL = kernel;

/** The signature of the gather kernel's export. */
export type GatherFn = (count: number, indices: number, out: number, pixels: number) => void;

const modules: (WebAssembly.Module | undefined)[] = [undefined, undefined];
/** The gather kernel compiled once for a memory of its own, once for a memory shared between threads. */
export function gatherModule(shared: boolean): WebAssembly.Module {
  return (modules[shared ? 1 : 0] ??= new WebAssembly.Module(wasmBinary([kernel], { shared })));
}

export interface Gatherer {
  /** the split's pixels, as a view of the gatherer's memory */
  readonly pixels: Uint8Array;
  /** x[b·784 + p] = pixels[indices[b]·784 + p] / 255 for a float32 x of at most CAPACITY images */
  gather(indices: Int32Array, x: Float32Array): void;
  /**
   * The memory, where its pixels are, and the first byte it does not use:
   * shared between threads where the platform allows, so a training team lays itself out
   * after them in the same memory instead of copying the pixels.
   */
  readonly home: Home;
}

export interface Home {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly pixels: number;
  /** the first byte after the pixels */
  readonly end: number;
  /** the first byte (16-aligned) that no live team has claimed: several teams may share one home */
  free(): number;
  /** a team lays itself out in [start, end) */
  claim(start: number, end: number): void;
  /** a closed team's bytes: free again once no live team's claim lies after them */
  release(start: number, end: number): void;
}

/** Moves a split's pixels into a gatherer's memory. */
export function gatherer(pixels: Uint8Array): Gatherer {
  const shared = typeof SharedArrayBuffer !== "undefined";
  const memory = new WebAssembly.Memory({ initial: Math.ceil((PIXELS + pixels.length) / 65536), maximum: MAX_PAGES, shared });
  const run = new WebAssembly.Instance(gatherModule(shared), { env: { memory } }).exports["gather"] as GatherFn;
  const own = new Uint8Array(memory.buffer, PIXELS, pixels.length);
  own.set(pixels);
  const indices = new Int32Array(memory.buffer, INDICES, CAPACITY);
  const out = new Float32Array(memory.buffer, OUT, CAPACITY * IMAGE);
  let filled = out.subarray(0, 0); // the last batch size's view, kept: drawing a batch allocates nothing
  const end = PIXELS + pixels.length;
  // the live teams' claims, by their ends: the first free byte is after the last of them
  const claims = new Map<number, number>();
  const top = () => Math.max(end, ...claims.keys());
  const home: Home = {
    memory,
    shared,
    pixels: PIXELS,
    end,
    free: () => Math.ceil(top() / 16) * 16,
    claim: (start, last) => void claims.set(last, start),
    release: (_start, last) => void claims.delete(last),
  };
  return {
    pixels: own,
    home,
    gather(chosen, x) {
      indices.set(chosen);
      run(chosen.length, INDICES, OUT, PIXELS);
      if (filled.length !== chosen.length * IMAGE) filled = out.subarray(0, chosen.length * IMAGE);
      x.set(filled);
    },
  };
}
