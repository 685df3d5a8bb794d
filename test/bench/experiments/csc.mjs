// xᵀ·dH by a CSC pass (count, prefix sums, fill) and register accumulation per column of x, in WAT:
// measured slower than the scatter kernel and set aside (docs/performance.md).
// `npx tsx test/bench/experiments/csc.mjs`.
import wabtInit from "wabt";
const wabt = await wabtInit();
const K = 784, N = 50;
const full = Math.floor(N / 4), tail = N % 4;
const range = (n) => Array.from({ length: n }, (_, i) => i);
const locals = range(full).map((j) => `(local $c${j} v128)`).join(" ") + " " + range(tail).map((j) => `(local $t${j} f32)`).join(" ");
// CSC scatter: C[p,:] = sum_{i: A[i,p] != 0} A[i,p] * B[i,:], A [m,K], B [m,N], C [K,N]
// scratch at L: cnt/offs (K+1 i32), then vals (m*K f32), then rows (m*K i32) — m ≤ 128 here
const MAXM = 128, OFFS = 0, VALS = 4 * (K + 1) + 12, ROWS = VALS + 4 * MAXM * K;
const csc = `
(func $csc (export "csc") (param $A i32) (param $B i32) (param $C i32) (param $m i32) (param $L i32)
  (local $i i32) (local $p i32) (local $q i32) (local $end i32) (local $a f32) (local $av v128) (local $rowA i32) (local $row i32) (local $pos i32) ${locals}
  (memory.fill (local.get $L) (i32.const 0) (i32.const ${4 * (K + 1)}))
  ;; count per column (branch-free)
  (local.set $i (i32.const 0))
  (block $d1 (loop $l1
    (br_if $d1 (i32.ge_u (local.get $i) (local.get $m)))
    (local.set $rowA (i32.add (local.get $A) (i32.mul (local.get $i) (i32.const ${K * 4}))))
    (local.set $p (i32.const 0))
    (loop $lp
      (local.set $pos (i32.add (local.get $L) (i32.shl (local.get $p) (i32.const 2))))
      (i32.store offset=4 (local.get $pos) (i32.add (i32.load offset=4 (local.get $pos)) (f32.ne (f32.load (i32.add (local.get $rowA) (i32.shl (local.get $p) (i32.const 2)))) (f32.const 0))))
      (br_if $lp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const ${K}))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l1)))
  ;; prefix sums: offs[p] = start of column p
  (local.set $p (i32.const 0))
  (loop $lps
    (local.set $pos (i32.add (local.get $L) (i32.shl (local.get $p) (i32.const 2))))
    (i32.store offset=4 (local.get $pos) (i32.add (i32.load offset=4 (local.get $pos)) (i32.load (local.get $pos))))
    (br_if $lps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const ${K}))))
  ;; fill: offs[p] used as cursor (ends as the start of column p+1)
  (local.set $i (i32.const 0))
  (block $d2 (loop $l2
    (br_if $d2 (i32.ge_u (local.get $i) (local.get $m)))
    (local.set $rowA (i32.add (local.get $A) (i32.mul (local.get $i) (i32.const ${K * 4}))))
    (local.set $p (i32.const 0))
    (loop $lp2
      (local.set $a (f32.load (i32.add (local.get $rowA) (i32.shl (local.get $p) (i32.const 2)))))
      (if (f32.ne (local.get $a) (f32.const 0)) (then
        (local.set $pos (i32.add (local.get $L) (i32.shl (local.get $p) (i32.const 2))))
        (local.set $q (i32.load (local.get $pos)))
        (f32.store offset=${VALS} (i32.add (local.get $L) (i32.shl (local.get $q) (i32.const 2))) (local.get $a))
        (i32.store offset=${ROWS} (i32.add (local.get $L) (i32.shl (local.get $q) (i32.const 2))) (i32.mul (local.get $i) (i32.const ${N * 4})))
        (i32.store (local.get $pos) (i32.add (local.get $q) (i32.const 1)))))
      (br_if $lp2 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const ${K}))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l2)))
  ;; columns: after the fill, column p spans [p ? offs[p-1] : 0, offs[p])
  (local.set $p (i32.const 0)) (local.set $q (i32.const 0))
  (loop $lc
    (local.set $end (i32.load (i32.add (local.get $L) (i32.shl (local.get $p) (i32.const 2)))))
    ${range(full).map((j) => `(local.set $c${j} (v128.const i32x4 0 0 0 0))`).join(" ")}
    ${range(tail).map((j) => `(local.set $t${j} (f32.const 0))`).join(" ")}
    (block $empty (br_if $empty (i32.ge_u (local.get $q) (local.get $end)))
    (loop $lq
      (local.set $pos (i32.add (local.get $L) (i32.shl (local.get $q) (i32.const 2))))
      (local.set $a (f32.load offset=${VALS} (local.get $pos)))
      (local.set $row (i32.add (local.get $B) (i32.load offset=${ROWS} (local.get $pos))))
      (local.set $av (f32x4.splat (local.get $a)))
      ${range(full).map((j) => `(local.set $c${j} (f32x4.add (local.get $c${j}) (f32x4.mul (local.get $av) (v128.load offset=${16 * j} (local.get $row)))))`).join("\n      ")}
      ${range(tail).map((j) => `(local.set $t${j} (f32.add (local.get $t${j}) (f32.mul (local.get $a) (f32.load offset=${16 * full + 4 * j} (local.get $row)))))`).join("\n      ")}
      (br_if $lq (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $end)))))
    (local.set $row (i32.add (local.get $C) (i32.mul (local.get $p) (i32.const ${N * 4}))))
    ${range(full).map((j) => `(v128.store offset=${16 * j} (local.get $row) (local.get $c${j}))`).join(" ")}
    ${range(tail).map((j) => `(f32.store offset=${16 * full + 4 * j} (local.get $row) (local.get $t${j}))`).join(" ")}
    (br_if $lc (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const ${K}))))
)`;
const wat = `(module (memory (export "memory") 200) ${csc})`;
const inst = new WebAssembly.Instance(new WebAssembly.Module(wabt.parseWat("k.wat", wat, { simd: true, bulk_memory: true }).toBinary({}).buffer), {});
const mem = inst.exports.memory.buffer;
const M = 100;
const offL = 0, offA = 1 << 20, offG = offA + M * K * 4 + 64, offD = offG + M * N * 4 + 64;
const A = new Float32Array(mem, offA, M * K), G = new Float32Array(mem, offG, M * N), D = new Float32Array(mem, offD, K * N);
const { defaultDataDir, loadMnist, fillBatch } = await import("../../../src/runtime/mnist.ts");
const data = loadMnist(defaultDataDir());
const a32 = new Float32Array(M * K); fillBatch(data.train, new Int32Array(M).map((_, i) => (i * 7919) % 60000), a32, new Int32Array(M)); A.set(a32);
let s = 1; const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
for (let i = 0; i < G.length; i++) G[i] = (rnd() - 0.5) * 0.02;
inst.exports.csc(offA, offG, offD, M, offL);
let e2 = 0;
for (let p = 0; p < K; p++) for (let j = 0; j < N; j++) { let r = 0; for (let i = 0; i < M; i++) r += A[i * K + p] * G[i * N + j]; e2 = Math.max(e2, Math.abs(r - D[p * N + j])); }
console.log("max abs err csc", e2);
function time(name, f) { for (let i = 0; i < 300; i++) f(); const t0 = performance.now(); for (let i = 0; i < 2000; i++) f(); console.log(name, ((performance.now() - t0) / 2000).toFixed(4), "ms"); }
for (let r = 0; r < 3; r++) time("csc xT@dH", () => inst.exports.csc(offA, offG, offD, M, offL));
