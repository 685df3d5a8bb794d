/**
 * Training with threads (runtime/pool.ts, parallel.ts): the same seed and thread count give
 * the same losses bit for bit; one and two threads agree within float32 tolerance; a team
 * of one thread steps exactly as the module's step and the optimizer's update do; random
 * batched graphs trained by two threads follow the interpreter's float64 SGD; and
 * two teams alive at once in the gatherer's memory each step as if alone; and graph/batch.ts
 * refuses steps that cannot split by rows, naming the node.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bind, compileText, evaluate, interpret, loadGraph } from "../../src/index.js";
import { batchSplit } from "../../src/graph/batch.js";
import { loadCompiled, moduleText } from "../../src/runtime/load.js";
import { defaultDataDir, fillBatch, loadMnist, type Mnist } from "../../src/runtime/mnist.js";
import { batch, classifier } from "../../src/runtime/model.js";
import { createOptimizer, type FloatArray, type OptimizerName } from "../../src/runtime/optimizers.js";
import { createTeam, type Team } from "../../src/runtime/pool.js";
import { train, type Reporter } from "../../src/runtime/train.js";
import { adam, momentum, sgd } from "../../src/runtime/parallel.js";
import { ENTRY, updateKernels } from "../../src/runtime/update.js";
import { tensor } from "../../src/tensor/tensor.js";
import { Random } from "../../src/tensor/random.js";
import { expectReported, gradc, ROOT } from "../helpers.js";

const quiet: Reporter = { start() {}, tick() {}, epoch() {}, stop() {} };
const full = loadMnist(defaultDataDir());
const slice = (n: number): Mnist => ({
  source: full.source,
  train: { count: n, pixels: full.train.pixels.subarray(0, n * 784), labels: full.train.labels.subarray(0, n) },
  test: { count: 200, pixels: full.test.pixels.subarray(0, 200 * 784), labels: full.test.labels.subarray(0, 200) },
});
const data = slice(3000);
const dir = () => mkdtempSync(join(tmpdir(), "gradc-threads-"));
const TWO_LAYER = loadGraph(`${ROOT}graphs/two_layer_net.graph`);

async function losses(text: string | undefined, simd: boolean, threads: number, optimizer: OptimizerName = "sgd", iters = 60): Promise<Float32Array> {
  const g = text === undefined ? TWO_LAYER : compileText(text, "net.graph");
  const r = await train(g, await loadCompiled(g, simd ? { simd: true } : {}), data, { iters, batch: 50, optimizer, seed: 4, dir: dir(), threads }, quiet);
  expect(r.threads).toBe(threads);
  return r.losses;
}

/** The TwoLayerNet with every name hostile: what the team's dictionaries and the worker's copy of the module must survive. */
const HOSTILE = `dim constructor
input __proto__: f32[constructor, 784]
input toString: i32[constructor]
param Math: f32[784, 20] ~ normal(0, 0.01)
param hasOwnProperty: f32[20] = 0
param valueOf: f32[20, 10] ~ normal(0, 0.01)
param undefined: f32[10] = 0
Float32Array = relu(__proto__ @ Math + hasOwnProperty)
prototype = Float32Array @ valueOf + undefined
NaN = softmax_cross_entropy(prototype, toString)
output prototype
loss NaN
`;

describe("training with threads", () => {
  for (const [label, text, simd, optimizer] of [
    ["the TwoLayerNet, --simd, SGD", undefined, true, "sgd"],
    ["the TwoLayerNet, TypeScript, Momentum", undefined, false, "momentum"],
    ["every name hostile, --simd, Adam", HOSTILE, true, "adam"],
  ] as const) {
    it(`${label}: two runs with 2 threads give the same losses bit for bit, and 1 and 2 threads agree within float32 tolerance`, { timeout: 120_000 }, async () => {
      const a = await losses(text, simd, 2, optimizer);
      const b = await losses(text, simd, 2, optimizer);
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
      const one = await losses(text, simd, 1, optimizer);
      // the first iteration's loss differs only by the order of one sum; the paths then drift apart slowly
      for (let i = 0; i < 10; i++) expect(Math.abs(a[i]! - one[i]!)).toBeLessThan(1e-5 * Math.max(1, one[i]!));
      expect(Math.abs(a[59]! - one[59]!)).toBeLessThan(0.05);
      expect(a[59]!).toBeLessThan(a[0]! - 0.05); // it learns
    });
  }

  it("a team of one thread steps exactly as module.step then the optimizer's update (float32 bits)", { timeout: 60_000 }, async () => {
    const mod = await loadCompiled(TWO_LAYER, { simd: true });
    const team = await losses(undefined, true, 1, "sgd", 30);
    const model = classifier(TWO_LAYER, mod, 4);
    const b = batch(model, 50);
    const opt = createOptimizer("sgd", 0.1, model.params);
    const rng = new Random(5);
    const plain = new Float32Array(30);
    for (let it = 0; it < 30; it++) {
      for (let i = 0; i < 50; i++) b.indices[i] = rng.int(data.train.count);
      fillBatch(data.train, b.indices, b.x, b.t);
      const ws = mod.step(b.ws, b.inputs, model.params);
      plain[it] = ws.outputs[model.loss] as number;
      opt.update(model.params, ws.grads[model.loss] as Record<string, FloatArray>);
    }
    expect(Buffer.from(team.buffer).equals(Buffer.from(plain.buffer))).toBe(true);
  });
});

describe("teams sharing the gatherer's memory", () => {
  it("two teams alive at once live apart, a team laid where a closed one was starts afresh (its control words and Adam state at 0), and each steps as if alone (they overlapped; a closed team's STOP word stopped the next one's workers)", { timeout: 120_000 }, async () => {
    const mod = await loadCompiled(TWO_LAYER, { simd: true });
    const home = full.train.gatherer?.home;
    expect(home?.shared).toBe(true);
    const make = (threads: number): Promise<Team> => {
      const model = classifier(TWO_LAYER, mod, 4);
      const names = { x: model.x, t: model.t, loss: model.loss, dim: model.dim };
      return createTeam(mod, moduleText(mod)!, { threads, batch: 50, float: "f32", checkNumerics: false, names, optimizer: { name: "adam", lr: 0.001 }, params: model.params, steps: 0, labels: full.train.labels, pixels: full.train.pixels, home });
    };
    const steps = (team: Team, rng: Random, into: number[]) => {
      for (let i = 0; i < 50; i++) team.indices[i] = rng.int(full.train.count);
      team.iterate();
      into.push(team.loss[0]!);
      team.update();
    };
    const alone = async (threads: number) => {
      const team = await make(threads);
      const out: number[] = [];
      const rng = new Random(6);
      for (let it = 0; it < 20; it++) steps(team, rng, out);
      await team.close();
      return out;
    };
    const two = await alone(2);
    const one = await alone(1);
    const a = await make(2);
    const claimed = home!.free();
    const b = await make(1);
    // the second lives in a memory of its own: growing the home under the first would leave the first's views on the old buffer
    expect(home!.free()).toBe(claimed);
    const [ra, rb, la, lb] = [new Random(6), new Random(6), [] as number[], [] as number[]];
    for (let it = 0; it < 20; it++) {
      steps(a, ra, la);
      steps(b, rb, lb);
    }
    await Promise.all([a.close(), b.close()]);
    expect(la).toEqual(two);
    expect(lb).toEqual(one);
    expect(home!.free()).toBe(Math.ceil(home!.end / 16) * 16);
  });
});

/** A random MLP over MNIST-shaped x: 1–3 layers of random widths and activations, a mean loss, sometimes a regularizer. */
function randomNet(seed: number): string {
  const r = new Random(seed);
  const acts = ["relu", "sigmoid", "tanh"];
  const layers = 1 + r.int(3);
  const lines = ["dim N", "input x: f32[N, 784]", "input t: i32[N]"];
  const body: string[] = [];
  let width = 784;
  let h = "x";
  for (let l = 1; l <= layers; l++) {
    const next = l === layers ? 10 : 4 + r.int(30);
    lines.push(`param W${l}: f32[${width}, ${next}] ~ normal(0, ${l === 1 ? 0.05 : 0.3})`, `param b${l}: f32[${next}] = 0.01`);
    const affine = `${h} @ W${l} + b${l}`;
    body.push(l === layers ? `score = ${affine}` : `h${l} = ${acts[r.int(3)]}(${affine})`);
    h = `h${l}`;
    width = next;
  }
  const reg = r.int(2) === 0 ? " + 0.001 * sum(W1 * W1)" : "";
  const scale = r.int(2) === 0 ? "2 * " : "";
  return [...lines, ...body, `loss = ${scale}softmax_cross_entropy(score, t)${reg}`, "output score", "loss loss", ""].join("\n");
}

describe("two threads train random batched graphs as the interpreter's float64 SGD does", () => {
  for (let seed = 1; seed <= 6; seed++) {
    it(`random net ${seed}`, { timeout: 60_000 }, async () => {
      const text = randomNet(seed);
      const g = compileText(text, "net.graph");
      expect(batchSplit(g, "N", g.losses[0]!.node)).toEqual({ ok: true });
      const iters = 4;
      const simd = seed % 2 === 0;
      const r = await train(g, await loadCompiled(g, simd ? { simd: true } : {}), data, { iters, batch: 40, optimizer: "sgd", lr: 0.5, seed, dir: dir(), threads: 2 }, quiet);
      // the same iterations, whole batches, in the interpreter: the same initial params and batches
      const model = classifier(g, await loadCompiled(g), seed);
      const rng = new Random(seed + 1);
      const b = batch(model, 40);
      const params = new Map(Object.entries(model.params).map(([n, a]) => [n, Float64Array.from(a)]));
      for (let it = 0; it < iters; it++) {
        for (let i = 0; i < 40; i++) b.indices[i] = rng.int(data.train.count);
        fillBatch(data.train, b.indices, b.x, b.t);
        const given = new Map([["x", tensor([40, 784], b.x)], ["t", tensor([40], b.t)], ...[...params].map(([n, a]) => [n, tensor(g.params.find((p) => p.name === n)!.node.type.shape.map(Number), a)] as const)]);
        const env = bind(g, { given, seed: 1 });
        const out = interpret(g, env);
        const lossNode = g.losses[0]!.node;
        const loss = evaluate([lossNode], env).get(lossNode.id)!.data[0]!;
        expect(Math.abs(r.losses[it]! - loss), `iteration ${it}: ${r.losses[it]} vs ${loss}`).toBeLessThan(2e-4 * Math.max(1, loss));
        for (const [n, a] of params) {
          const grad = out.grads.get("loss")!.get(n)!.data;
          for (let i = 0; i < a.length; i++) a[i] = Math.fround(a[i]! - 0.5 * grad[i]!);
        }
      }
    });
  }
});

describe("graph/batch.ts: which steps split by rows", () => {
  const head = "dim N\ninput x: f32[N, 4]\ninput t: i32[N]\nparam W: f32[4, 3] ~ normal(0, 1)\n";
  const split = (body: string) => {
    const g = compileText(`${head}${body}\nloss L\n`, "s.graph");
    return batchSplit(g, "N", g.losses[0]!.node);
  };
  it("splits the textbook's networks and means combined with batch-free values", () => {
    for (const f of ["two_layer_net", "three_layer_net"]) {
      const g = loadGraph(`${ROOT}graphs/${f}.graph`);
      expect(batchSplit(g, "N", g.losses[0]!.node)).toEqual({ ok: true });
    }
    expect(split("L = softmax_cross_entropy(tanh(x @ W) * 2, t) + 0.1 * sum(W * W)")).toEqual({ ok: true });
  });
  for (const [body, why] of [
    ["L = sum(x @ W)", "sum mixes the rows of the batch"],
    ["L = softmax_cross_entropy(x @ W - mean(x @ W), t)", "sum mixes the rows of the batch"],
    ["L = softmax_cross_entropy(x @ W, t) * softmax_cross_entropy(x @ W, t)", "mul of a mean over the batch is not a mean over it"],
  ] as const) {
    it(`refuses ${body}: ${why}`, () => {
      const s = split(body);
      expect(s.ok).toBe(false);
      if (!s.ok) expect(s.why).toBe(why);
    });
  }
  it("gradc train --threads 2 on such a step is cannot_split_batch, at the node's line and column", () => {
    const d = dir();
    const file = join(d, "bn.graph");
    writeFileSync(file, "dim N\ninput x: f32[N, 784]\ninput t: i32[N]\nparam W: f32[784, 10] ~ normal(0, 0.01)\nz = x @ W\nscore = z - mean(z)\nloss = softmax_cross_entropy(score, t)\noutput score\nloss loss\n");
    const r = gradc(["train", file, "--threads", "2", "--iters", "1", "--out", join(d, "run")]);
    expectReported(r, "cannot_split_batch");
    expect(r.stderr).toContain("bn.graph:6:");
    expect(r.stderr).toContain("--threads 2 splits each step by the batch's rows, but here sum mixes the rows of the batch: train with --threads 1");
  });
});

describe("the update in WebAssembly (runtime/update.ts) is the loops' arithmetic, bit for bit", () => {
  for (const threads of [1, 2, 3]) {
    it(`SGD, Momentum and Adam with ${threads} thread(s)' gradients, with zeros of both signs, NaN and infinities among them`, () => {
      const memory = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
      const n = 1000;
      const r = new Random(threads);
      const special = [0, -0, NaN, Infinity, -Infinity, 1e-40, -3e38];
      const fill = (at: number) => {
        const a = new Float32Array(memory.buffer, at, n);
        for (let i = 0; i < n; i++) a[i] = i % 97 === 0 ? special[(i / 97) % special.length]! : r.normal();
        return a;
      };
      // four streams of four-element vectors over most of the range, then its last n mod 16 one at a time; a range shorter than 16; one of 3
      for (const [lo, hi] of [[13, 977], [5, 16], [0, 3]] as const) {
        const grads = Array.from({ length: threads }, (_, j) => fill(40_000 + 4 * n * j));
        const weights = Float64Array.from({ length: threads }, (_, j) => (j + 1) / ((threads * (threads + 1)) / 2));
        const table = 100_000;
        grads.forEach((g, j) => {
          new Int32Array(memory.buffer, table + ENTRY * j, 1)[0] = g.byteOffset + 4 * lo;
          new Float64Array(memory.buffer, table + ENTRY * j + 8, 1)[0] = weights[j]!;
        });
        const k = updateKernels(threads, memory);
        for (const name of ["sgd", "momentum", "adam"] as const) {
          const [p, m, v] = [fill(0), fill(4 * n), fill(8 * n)];
          const copies = [p, m, v].map((a) => Float32Array.from(a));
          const w = { p: copies[0]!, state: name === "adam" ? [copies[1]!, copies[2]!] : [copies[2]!], grads, lo, hi };
          if (name === "sgd") sgd(w, weights, 0.1);
          else if (name === "momentum") momentum(w, weights, 0.01);
          else adam(w, weights, 0.001, 7);
          const at = (a: Float32Array) => a.byteOffset + 4 * lo;
          // the rates, where the kernels read them: lr, Adam's lrT, 1 − β1, 1 − β2
          const scalars = 120_000;
          new Float64Array(memory.buffer, scalars, 4).set([name === "sgd" ? 0.1 : 0.01, (0.001 * Math.sqrt(1 - 0.999 ** 7)) / (1 - 0.9 ** 7), 1 - 0.9, 1 - 0.999]);
          if (name === "sgd") k.sgd(at(p), hi - lo, table, scalars);
          else if (name === "momentum") k.momentum(at(p), at(v), hi - lo, table, scalars);
          else k.adam(at(p), at(m), at(v), hi - lo, table, scalars);
          const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
          expect(bits(Float32Array.from(p)), name).toBe(bits(copies[0]!));
          expect(bits(Float32Array.from(v)), name).toBe(bits(copies[2]!));
          expect(bits(Float32Array.from(m)), name).toBe(bits(copies[1]!));
        }
      }
    });
  }
});
