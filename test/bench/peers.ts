/**
 * The bench's peers, each the textbook's TwoLayerNet (784-H-10, SGD lr 0.1, batches drawn
 * with replacement from the real MNIST) as its users would write it: TensorFlow.js (cpu and
 * wasm backends), jax-js (the whole step under jit), NumPy (../shared/peers) and PyTorch
 * (torch_two_layer.py) in Python subprocesses. A runner does n iterations and returns the
 * milliseconds per iteration; a peer that cannot run says why and how to make it run.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultDataDir, fillBatch, type Mnist } from "../../src/runtime/mnist.js";
import { Random } from "../../src/tensor/random.js";

export type Runner = (iterations: number) => number;
export interface Shape {
  readonly hidden: number;
  readonly batch: number;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A batch drawer for in-process peers: the same gatherer as gradc's plain path. */
function drawer(data: Mnist, batch: number, seed: number) {
  const x = new Float32Array(batch * 784);
  const t = new Int32Array(batch);
  const idx = new Int32Array(batch);
  const rng = new Random(seed);
  return {
    x,
    t,
    draw() {
      for (let i = 0; i < batch; i++) idx[i] = rng.int(data.train.count);
      fillBatch(data.train, idx, x, t);
    },
  };
}

const timed = (iteration: () => void): Runner => (n) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) iteration();
  return (performance.now() - t0) / n;
};

let tfBackend: string | undefined;
export async function tfjs(backend: "cpu" | "wasm", data: Mnist, s: Shape): Promise<Runner> {
  const tf = await import("@tensorflow/tfjs-core");
  if (tfBackend !== backend) {
    // tfjs-core registers no gradients by itself; ES module code with extensionless imports, loaded as CommonJS
    createRequire(import.meta.url)("@tensorflow/tfjs-core/dist/register_all_gradients");
    if (backend === "cpu") await import("@tensorflow/tfjs-backend-cpu");
    else {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths(join(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
    }
    await tf.setBackend(backend);
    await tf.ready();
    tfBackend = backend;
  }
  const W1 = tf.variable(tf.randomNormal([784, s.hidden], 0, 0.01));
  const b1 = tf.variable(tf.zeros([s.hidden]));
  const W2 = tf.variable(tf.randomNormal([s.hidden, 10], 0, 0.01));
  const b2 = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.1);
  const d = drawer(data, s.batch, 3);
  const run = timed(() => {
    d.draw();
    tf.tidy(() => {
      const xs = tf.tensor2d(d.x, [s.batch, 784]);
      const ys = tf.oneHot(tf.tensor1d(d.t, "int32"), 10);
      // functions, not chained methods: tfjs-core alone does not add those to its tensors
      const scores = () => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xs, W1), b1)), W2), b2);
      opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, scores()) as import("@tensorflow/tfjs-core").Scalar);
    });
  });
  run(10);
  return run;
}

export async function jaxjs(data: Mnist, s: Shape): Promise<Runner> {
  const jax = await import("@jax-js/jax");
  const { grad, jit, nn, numpy: np, tree } = jax;
  await jax.init("wasm");
  jax.defaultDevice("wasm");
  type A = InstanceType<typeof jax.Array>;
  type P = { W1: A; b1: A; W2: A; b2: A };
  // jax-js owns arrays by reference count: each use but the last takes `.ref`
  const loss = (p: P, x: A, y: A) => {
    const h = nn.relu(np.matmul(x, p.W1).add(p.b1));
    return np.mean(np.sum(nn.logSoftmax(np.matmul(h, p.W2).add(p.b2), -1).mul(y), -1)).mul(-1);
  };
  const step = jit((p: P, x: A, y: A) => {
    const g = grad(loss)(tree.ref(p), x, y) as P;
    return tree.map((a: A, b: A) => a.sub(b.mul(0.1)), p, g) as P;
  });
  const r = new Random(4);
  const normal = (n: number) => Float32Array.from({ length: n }, () => 0.01 * r.normal());
  let p: P = { W1: np.array(normal(784 * s.hidden)).reshape([784, s.hidden]), b1: np.zeros([s.hidden]), W2: np.array(normal(s.hidden * 10)).reshape([s.hidden, 10]), b2: np.zeros([10]) };
  const d = drawer(data, s.batch, 3);
  const y = new Float32Array(s.batch * 10);
  const run: Runner = (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      d.draw();
      y.fill(0);
      for (let b = 0; b < s.batch; b++) y[b * 10 + d.t[b]!] = 1;
      p = step(p, np.array(d.x).reshape([s.batch, 784]), np.array(y).reshape([s.batch, 10]));
    }
    p.b2.ref.dataSync(); // waits for the last step
    return (performance.now() - t0) / n;
  };
  run(10);
  return run;
}

export type Outcome = { readonly ms: number; readonly acc?: number } | { readonly skipped: string };

/** NumPy float32, the textbook's code without the unused input gradient: one subprocess per measurement. */
export function numpy(s: Shape, iters: number, blasThreads?: number): Outcome {
  const script = `${ROOT}../shared/peers/numpy_two_layer.py`;
  if (!existsSync(script)) return { skipped: "../shared/peers/numpy_two_layer.py is not here" };
  const env = blasThreads === undefined ? process.env : { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads) };
  return python("python3", script, ["--dtype", "float32", "--no-dx1", "--no-gradcheck"], s, iters, "python3 with NumPy is not available", env);
}

/** A Python that has torch: Debian's python3-torch is for /usr/bin/python3, which may not be the python3 on PATH. */
function torchPython(): string | undefined {
  for (const py of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(py, ["-c", "import torch"], { encoding: "utf8" }).status === 0) return py;
  }
  return undefined;
}

export const TORCH_HINT = "PyTorch is not installed: apt-get install -y python3-torch libopenblas0-pthread (Debian's torch with its OpenBLAS; as installed it may bind the reference BLAS: update-alternatives --config libblas.so.3-x86_64-linux-gnu)";

export function torch(s: Shape, iters: number): Outcome {
  const py = torchPython();
  if (!py) return { skipped: TORCH_HINT };
  return python(py, `${ROOT}test/bench/torch_two_layer.py`, [], s, iters, "torch_two_layer.py failed", process.env);
}

function python(py: string, script: string, extra: string[], s: Shape, iters: number, missing: string, env: NodeJS.ProcessEnv): Outcome {
  const args = [script, "--data", defaultDataDir(), "--iters", String(iters), "--batch", String(s.batch), "--hidden", String(s.hidden), ...extra];
  const r = spawnSync(py, args, { encoding: "utf8", env });
  if (r.status !== 0) return { skipped: `${missing} (${(r.stderr || r.error?.message || "").trim().split("\n").pop()})` };
  const last = JSON.parse(r.stdout.trim().split("\n").pop()!) as { ms_per_iter: number; test_acc?: number };
  return { ms: last.ms_per_iter, acc: last.test_acc };
}
