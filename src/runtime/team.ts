/**
 * A team of threads over one shared WebAssembly memory, on any platform: lays out the
 * memory — control words, the batch's indices, the split's labels and pixels, each thread's
 * replica of the params and the optimizer's state, then per thread its rows of x and t and
 * its workspace — starts
 * threads − 1 workers through the platform's `Spawn` (pool.ts: Node's worker_threads; the
 * playground: Web Workers), and runs thread 0 itself (parallel.ts is what each runs). The
 * generated module imports nothing: each worker imports its text.
 */
/// <reference path="../webassembly.d.ts" />
import { MAX_PAGES } from "../codegen/wasm.js";
import type { CompiledModule } from "./load.js";
import type { FloatArray, OptimizerName } from "./optimizers.js";
import { CONTROL_BYTES, Member, type TeamPlan } from "./parallel.js";
import { ENTRY, SCALARS } from "./update.js";
import type { Home } from "./gather.js";

export interface TeamOptions {
  readonly threads: number;
  readonly batch: number;
  readonly names: TeamPlan["names"];
  readonly float: "f32" | "f64";
  readonly optimizer: { readonly name: OptimizerName; readonly lr: number };
  readonly checkNumerics: boolean;
  /** the initial params, optimizer state and steps taken (copied into the shared memory: a resumed run's) */
  readonly params: Readonly<Record<string, FloatArray>>;
  readonly state?: ReadonlyMap<string, readonly FloatArray[]>;
  readonly steps: number;
  readonly labels: Uint8Array;
  readonly pixels: Uint8Array;
  /** the split's gatherer's shared memory, holding these pixels: the team lays itself out after them */
  readonly home?: Home;
}

/** A team of threads stepping together; params and state are views of the shared memory (thread 0's replica: all are equal). */
export interface Team {
  readonly threads: number;
  readonly params: Record<string, FloatArray>;
  readonly state: Map<string, FloatArray[]>;
  /** the batch's images: write them, then iterate() */
  readonly indices: Int32Array;
  /** every thread steps on its rows; then loss[0] is the batch's loss */
  iterate(): void;
  readonly loss: Float64Array;
  /** every thread updates its replica of the params from every thread's gradients */
  update(): void;
  /** optimizer steps taken */
  readonly steps: number;
  close(): Promise<void>;
}

const STATE: Record<OptimizerName, number> = { sgd: 0, momentum: 1, adam: 2 };
const align = (n: number) => Math.ceil(n / 16) * 16;

/** Where everything goes, given how big each thread's workspace is (0: not in the shared memory). */
function layout(o: TeamOptions, home: Home | undefined, workspaceBytes: (rows: number) => number): { plan: Omit<TeamPlan, "members">; members: { base: number; x: number; t: number; grads: number[]; tables: number }[]; start: number; bytes: number } {
  // in a home memory, after what its other live teams have claimed
  const start = home ? home.free() : 0;
  let at = start;
  const take = (bytes: number) => {
    const here = at;
    at = align(at + bytes);
    return here;
  };
  const width = o.float === "f32" ? 4 : 8;
  const control = take(CONTROL_BYTES);
  const losses = take(8 * o.threads);
  const indices = take(4 * o.batch);
  const count = o.labels.length;
  const labels = take(count);
  const pixels = home ? home.pixels : take(count * 784);
  // each thread's replica of every param and its optimizer state, side by side
  const params = Object.entries(o.params).map(([name, a]) => ({ name, length: a.length, replicas: [] as { at: number; state: number[] }[] }));
  for (let k = 0; k < o.threads; k++) {
    for (const p of params) p.replicas.push({ at: take(width * p.length), state: Array.from({ length: STATE[o.optimizer.name] }, () => take(width * p.length)) });
  }
  const rows: [number, number][] = [];
  for (let k = 0, first = 0; k < o.threads; k++) {
    const n = Math.floor(o.batch / o.threads) + (k < o.batch % o.threads ? 1 : 0);
    rows.push([first, n]);
    first += n;
  }
  const members = rows.map(([, n]) => {
    const x = take(width * n * 784);
    const t = take(4 * n);
    const bytes = workspaceBytes(n);
    // a workspace outside the shared memory copies its gradients here after each step
    const grads = bytes > 0 ? [] : params.map((p) => take(width * p.length));
    const tables = take(ENTRY * o.threads * params.length + SCALARS);
    return { base: bytes > 0 ? take(bytes) : 0, x, t, grads, tables };
  });
  const plan = { steps: o.steps, threads: o.threads, rows, batch: o.batch, names: o.names, float: o.float, optimizer: o.optimizer, checkNumerics: o.checkNumerics, placed: false, at: { control, losses, indices, labels, pixels }, count, params };
  return { plan, members, start, bytes: at };
}

/** A started worker: resolves `exited` when it has left the team. */
export interface Spawned {
  readonly exited: Promise<unknown>;
}

/** Starts worker k of a team (running parallel.ts's Member k); resolves once it is ready to meet at the first barrier. */
export type Spawn = (plan: TeamPlan, k: number, memory: WebAssembly.Memory, js: string) => Promise<Spawned>;

export async function createTeam(module: CompiledModule, js: string, o: TeamOptions, spawn: Spawn): Promise<Team> {
  const dims = (n: number) => ({ [o.names.dim]: n });
  const sizer = module.workspaceBytes;
  // the gatherer's memory, unless another team lives there: growing a memory under a live team leaves its views on
  // the old buffer, so its step no longer finds x and the params in place (inMemory) and copies them every time
  const home = o.home?.shared && o.home.free() === align(o.home.end) ? o.home : undefined;
  const { plan: partial, members, start: first, bytes } = layout(o, home, (n) => (sizer ? align(sizer(dims(n))) : 0));
  const pages = Math.ceil(bytes / 65536) + 1;
  if (pages > MAX_PAGES) throw new RangeError(`a team of ${o.threads} threads needs ${bytes} bytes of memory, more than WebAssembly's 4 GiB`);
  const memory = home ? grown(home.memory, pages) : new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  // a placed workspace's gradients are read where it keeps them: lay each one out to learn where
  let placed = sizer !== undefined;
  if (placed) {
    members.forEach((m, k) => {
      const ws = module.createWorkspace(dims(partial.rows[k]![1]), { memory, base: m.base });
      const grads = ws.grads[o.names.loss]!;
      for (const p of partial.params) {
        const g = grads[p.name];
        if (!(g instanceof Float32Array || g instanceof Float64Array) || g.buffer !== memory.buffer) placed = false;
        else m.grads.push(g.byteOffset);
      }
    });
  }
  // laid out again without workspaces in the shared memory: theirs copy their gradients out
  if (!placed && sizer !== undefined) return createTeam({ ...module, workspaceBytes: undefined }, js, o, spawn);
  home?.claim(first, bytes);
  const plan: TeamPlan = { ...partial, placed, members };
  Member.fill(memory, plan, o.labels, home ? undefined : o.pixels);
  const workers = await Promise.all(Array.from({ length: o.threads - 1 }, (_, i) => spawn(plan, i + 1, memory, js)));
  const me = new Member(plan, 0, memory, module);
  startFrom(memory, plan, o);
  const indices = new Int32Array(memory.buffer, plan.at.indices, o.batch);
  return {
    threads: o.threads,
    params: me.params,
    state: new Map(Object.entries(me.state)),
    indices,
    loss: me.total,
    iterate() {
      me.arrive();
      me.step();
      me.arrive();
      me.sumLosses();
    },
    update() {
      me.update();
    },
    get steps() {
      return me.taken;
    },
    async close() {
      me.stop();
      me.arrive();
      await Promise.all(workers.map((w) => w.exited));
      home?.release(first, bytes);
    },
  };
}

/** The params and optimizer state a run starts from, into every thread's replica; the state is 0 unless a resumed run gives it (these bytes may have held a closed team's). */
function startFrom(memory: WebAssembly.Memory, plan: TeamPlan, o: TeamOptions): void {
  const F = o.float === "f32" ? Float32Array : Float64Array;
  for (const p of plan.params) {
    for (const r of p.replicas) {
      new F(memory.buffer, r.at, p.length).set(o.params[p.name]!);
      r.state.forEach((at, i) => {
        const s = new F(memory.buffer, at, p.length);
        const given = o.state?.get(p.name)?.[i];
        if (given) s.set(given);
        else s.fill(0);
      });
    }
  }
}

/** The home memory, grown to at least `pages` (views made before keep their bytes; a shared memory's buffer is not detached). */
function grown(memory: WebAssembly.Memory, pages: number): WebAssembly.Memory {
  const have = memory.buffer.byteLength / 65536;
  if (have < pages) memory.grow(pages - have);
  return memory;
}
