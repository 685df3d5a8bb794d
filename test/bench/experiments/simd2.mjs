// The rows and scatter kernels with a branch-free list of a row's non-zeros, hand-written in WAT
// (assembled with wabt) and timed on a real MNIST batch: the experiment behind the rows kernels'
// lists (landed) and the scatter kernel's branch (kept). `npx tsx test/bench/experiments/simd2.mjs`.
import wabtInit from "wabt";
const wabt = await wabtInit();
const K = 784, N = 50;
const full = Math.floor(N / 4), tail = N % 4;
const range = (n) => Array.from({ length: n }, (_, i) => i);
const locals = range(full).map((j) => `(local $c${j} v128)`).join(" ") + " " + range(tail).map((j) => `(local $t${j} f32)`).join(" ");
// rows with a branchless list of the row's non-zeros (values at L, byte offsets of B's rows at L+K*4)
const rows = `
(func $rows (export "rows") (param $A i32) (param $B i32) (param $C i32) (param $m i32) (param $L i32)
  (local $i i32) (local $p i32) (local $q i32) (local $n i32) (local $a f32) (local $av v128) (local $rowA i32) (local $rowB i32) (local $rowC i32) ${locals}
  (block $done (loop $li
    (br_if $done (i32.ge_u (local.get $i) (local.get $m)))
    (local.set $rowA (i32.add (local.get $A) (i32.mul (local.get $i) (i32.const ${K * 4}))))
    (local.set $p (i32.const 0)) (local.set $n (i32.const 0))
    (loop $lp
      (local.set $a (f32.load (i32.add (local.get $rowA) (i32.shl (local.get $p) (i32.const 2)))))
      (f32.store (i32.add (local.get $L) (i32.shl (local.get $n) (i32.const 2))) (local.get $a))
      (i32.store offset=${K * 4} (i32.add (local.get $L) (i32.shl (local.get $n) (i32.const 2))) (i32.mul (local.get $p) (i32.const ${N * 4})))
      (local.set $n (i32.add (local.get $n) (f32.ne (local.get $a) (f32.const 0))))
      (br_if $lp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const ${K})))
    )
    ${range(full).map((j) => `(local.set $c${j} (v128.const i32x4 0 0 0 0))`).join(" ")}
    ${range(tail).map((j) => `(local.set $t${j} (f32.const 0))`).join(" ")}
    (local.set $q (i32.const 0))
    (block $empty (br_if $empty (i32.eqz (local.get $n)))
    (loop $lq
      (local.set $a (f32.load (i32.add (local.get $L) (i32.shl (local.get $q) (i32.const 2)))))
      (local.set $rowB (i32.add (local.get $B) (i32.load offset=${K * 4} (i32.add (local.get $L) (i32.shl (local.get $q) (i32.const 2))))))
      (local.set $av (f32x4.splat (local.get $a)))
      ${range(full).map((j) => `(local.set $c${j} (f32x4.add (local.get $c${j}) (f32x4.mul (local.get $av) (v128.load offset=${16 * j} (local.get $rowB)))))`).join("\n      ")}
      ${range(tail).map((j) => `(local.set $t${j} (f32.add (local.get $t${j}) (f32.mul (local.get $a) (f32.load offset=${16 * full + 4 * j} (local.get $rowB)))))`).join("\n      ")}
      (br_if $lq (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $n)))
    ))
    (local.set $rowC (i32.add (local.get $C) (i32.mul (local.get $i) (i32.const ${N * 4}))))
    ${range(full).map((j) => `(v128.store offset=${16 * j} (local.get $rowC) (local.get $c${j}))`).join(" ")}
    ${range(tail).map((j) => `(f32.store offset=${16 * full + 4 * j} (local.get $rowC) (local.get $t${j}))`).join(" ")}
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $li)
  ))
)`;
const scatter = `
(func $scatter (export "scatter") (param $A i32) (param $B i32) (param $C i32) (param $m i32) (param $L i32)
  (local $i i32) (local $p i32) (local $q i32) (local $n i32) (local $a f32) (local $av v128) (local $rowA i32) (local $rowB i32) (local $rowC i32) ${locals}
  (memory.fill (local.get $C) (i32.const 0) (i32.const ${K * N * 4}))
  (block $done (loop $li
    (br_if $done (i32.ge_u (local.get $i) (local.get $m)))
    (local.set $rowA (i32.add (local.get $A) (i32.mul (local.get $i) (i32.const ${K * 4}))))
    (local.set $p (i32.const 0)) (local.set $n (i32.const 0))
    (loop $lp
      (local.set $a (f32.load (i32.add (local.get $rowA) (i32.shl (local.get $p) (i32.const 2)))))
      (f32.store (i32.add (local.get $L) (i32.shl (local.get $n) (i32.const 2))) (local.get $a))
      (i32.store offset=${K * 4} (i32.add (local.get $L) (i32.shl (local.get $n) (i32.const 2))) (i32.mul (local.get $p) (i32.const ${N * 4})))
      (local.set $n (i32.add (local.get $n) (f32.ne (local.get $a) (f32.const 0))))
      (br_if $lp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const ${K})))
    )
    (local.set $rowB (i32.add (local.get $B) (i32.mul (local.get $i) (i32.const ${N * 4}))))
    ${range(full).map((j) => `(local.set $c${j} (v128.load offset=${16 * j} (local.get $rowB)))`).join(" ")}
    ${range(tail).map((j) => `(local.set $t${j} (f32.load offset=${16 * full + 4 * j} (local.get $rowB)))`).join(" ")}
    (local.set $q (i32.const 0))
    (block $empty (br_if $empty (i32.eqz (local.get $n)))
    (loop $lq
      (local.set $a (f32.load (i32.add (local.get $L) (i32.shl (local.get $q) (i32.const 2)))))
      (local.set $rowC (i32.add (local.get $C) (i32.load offset=${K * 4} (i32.add (local.get $L) (i32.shl (local.get $q) (i32.const 2))))))
      (local.set $av (f32x4.splat (local.get $a)))
      ${range(full).map((j) => `(v128.store offset=${16 * j} (local.get $rowC) (f32x4.add (v128.load offset=${16 * j} (local.get $rowC)) (f32x4.mul (local.get $av) (local.get $c${j}))))`).join("\n      ")}
      ${range(tail).map((j) => `(f32.store offset=${16 * full + 4 * j} (local.get $rowC) (f32.add (f32.load offset=${16 * full + 4 * j} (local.get $rowC)) (f32.mul (local.get $a) (local.get $t${j}))))`).join("\n      ")}
      (br_if $lq (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $n)))
    ))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $li)
  ))
)`;
const wat = `(module (memory (export "memory") 64) ${rows} ${scatter})`;
const bin = wabt.parseWat("k.wat", wat, { simd: true, bulk_memory: true }).toBinary({}).buffer;
const inst = new WebAssembly.Instance(new WebAssembly.Module(bin), {});
const mem = inst.exports.memory.buffer;
const M = 100;
const offA = 0, offB = offA + M * K * 4, offC = offB + K * N * 4 + 64, offG = offC + M * N * 4 + 64, offD = offG + M * N * 4 + 64, offL = offD + K * N * 4 + 64;
const A = new Float32Array(mem, offA, M * K), B = new Float32Array(mem, offB, K * N), C = new Float32Array(mem, offC, M * N);
const G = new Float32Array(mem, offG, M * N), D = new Float32Array(mem, offD, K * N);
const { defaultDataDir, loadMnist, fillBatch } = await import("../../../src/runtime/mnist.ts");
const data = loadMnist(defaultDataDir());
const idx = new Int32Array(M).map((_, i) => (i * 7919) % 60000); fillBatch(data.train, idx, A, new Int32Array(M));
let s = 1; const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
for (let i = 0; i < B.length; i++) B[i] = (rnd() - 0.5) * 0.02;
for (let i = 0; i < G.length; i++) G[i] = (rnd() - 0.5) * 0.02;
inst.exports.rows(offA, offB, offC, M, offL);
inst.exports.scatter(offA, offG, offD, M, offL);
let e1 = 0, e2 = 0;
for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) { let r = 0; for (let p = 0; p < K; p++) r += A[i * K + p] * B[p * N + j]; e1 = Math.max(e1, Math.abs(r - C[i * N + j])); }
for (let p = 0; p < K; p++) for (let j = 0; j < N; j++) { let r = 0; for (let i = 0; i < M; i++) r += A[i * K + p] * G[i * N + j]; e2 = Math.max(e2, Math.abs(r - D[p * N + j])); }
console.log("max abs err rows", e1, "scatter", e2);
function time(name, f) { for (let i = 0; i < 300; i++) f(); const t0 = performance.now(); for (let i = 0; i < 2000; i++) f(); console.log(name, ((performance.now() - t0) / 2000).toFixed(4), "ms"); }
for (let r = 0; r < 2; r++) { time("rows list", () => inst.exports.rows(offA, offB, offC, M, offL)); time("scatter list", () => inst.exports.scatter(offA, offG, offD, M, offL)); }
