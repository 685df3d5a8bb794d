/**
 * Bytes a training iteration allocates, counted exactly: V8's young generation (where every
 * new object starts) grows by what is allocated until a collection empties it, so its growth
 * over 4W iterations less its growth over W, divided by 3W, is what one iteration allocates —
 * what reading the sizes allocates cancels out (a pair where a collection ran is dropped).
 * Run alone, in a process of its own, as `gradc train` runs one team: other teams' kernels in
 * the same process make call sites polymorphic, and V8 then calls WebAssembly through a
 * generic wrapper that allocates. It counts the main thread; workers run the same loop.
 * `npx tsx test/bench/alloc.ts simd|ts THREADS` prints {"windows": [bytes per iteration, one a pair…]}.
 */
import { getHeapSpaceStatistics } from "node:v8";
import { defaultDataDir, loadMnist } from "../../src/runtime/mnist.js";
import { gradc } from "./runners.js";

const [backend, threadArg] = process.argv.slice(2);
const simd = backend === "simd";
const threads = Number(threadArg ?? 1);
const data = loadMnist(defaultDataDir());
const WINDOW = simd ? 10_000 : 1_000;

/** bytes in use in the young generation */
function young(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (space.space_name === "new_space" || space.space_name === "new_large_object_space") used += space.space_used_size;
  return used;
}

const g = await gradc(data, simd, threads, { hidden: 50, batch: 100 });
g.run(simd ? 5000 : 3000);
const windows: number[] = [];
/** the young generation's growth over n iterations (with what measuring allocates itself) */
function grown(n: number): number {
  const before = young();
  for (let i = 0; i < n; i++) g.iteration();
  return young() - before;
}
// per iteration: the growth over 4W iterations less that over W, over 3W — what measuring allocates
// itself (a few hundred bytes, whatever the window's length) cancels; a window a collection emptied is dropped
for (let w = 0; w < 5; w++) {
  const [short, long] = [grown(WINDOW), grown(4 * WINDOW)];
  if (short >= 0 && long >= 0) windows.push((long - short) / (3 * WINDOW));
}
await g.close();
process.stdout.write(JSON.stringify({ windows }) + "\n");
