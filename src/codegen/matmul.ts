/**
 * The matmul writer: C = A · B into the float64 scratch, for kernels that then store C
 * or run an epilogue over it. For each row i of C it first lists the non-zeros of row i
 * of A (MNIST pixels are 81% zeros), then computes C[i, j..j+7] in eight register
 * accumulators over that list. Sums run over p in increasing order, as the
 * interpreter's do, so float64 results are the same bit for bit. Skipping a zero of A is
 * exact only for finite B (0 · ∞ is NaN): one pass over B first sums B[q] · 0, which is 0
 * unless B holds an infinity or a NaN, and then no zero is skipped. A transposed A (xᵀ · dH)
 * is read in place: its non-zeros are listed per column first (a CSC pass), so nothing is
 * copied. It builds kernel-program statements; the printers write them.
 */
import * as K from "../kernel/ir.js";

export interface MatmulShape {
  readonly a: K.Buf;
  readonly b: K.Buf;
  /** the names shown in comments */
  readonly aLabel: string;
  readonly bLabel: string;
  readonly aTransposed: boolean;
  readonly bTransposed: boolean;
  readonly M: K.Expr;
  readonly K: K.Expr;
  readonly N: K.Expr;
  readonly scratch: K.Buf;
  /** an Int32Array for the lists' offsets */
  readonly iscratch: K.Buf;
}

const TILE = 8;
const { add, mul, num, get, load, store, decl, declLet, set, loop } = K;

/** The statements, and how many float64 and int32 scratch elements they need. */
export function matmulProgram(s: MatmulShape): { body: K.Stmt[]; size: K.Expr; intSize: K.Expr } {
  return s.aTransposed ? transposedA(s) : rowsOfA(s);
}

/** `dense` is 0 when every element of B is finite, NaN otherwise: then zeros of A must be multiplied too. */
function finiteCheck(s: MatmulShape, dense: K.Local): K.Stmt[] {
  return [
    K.comment(`0 · B is 0 only for finite B: with an infinity or a NaN in ${s.bLabel}, no zero of ${s.aLabel} is skipped`),
    declLet(dense, num(0)),
    // B[q] · 0 is a value, not an index: it is never folded to 0
    loop("q", mul(s.K, s.N), (q) => [set(dense, K.bin("*", load(s.b, q), num(0)), "+=")]),
  ];
}

/** B(p, j). */
const bAt = (s: MatmulShape, p: K.Expr, j: K.Expr): K.Expr => load(s.b, s.bTransposed ? add(mul(j, s.K), p) : add(mul(p, s.N), j));

/** C[i, :] from the list of (value, column) pairs at [from, to) of the scratch's value and index regions. */
function rowFromList(s: MatmulShape, i: K.Expr, V: K.Expr, X: K.Expr, from: K.Expr, to: K.Expr): K.Stmt[] {
  const [row, j] = [K.local("row"), K.local("j")];
  const R = get(row);
  const J = get(j);
  const acc = Array.from({ length: TILE }, (_, t) => K.local(`c${t}`));
  const a = K.local("a");
  const p = K.local("p");
  const r = K.local("r");
  const at = (t: number) => add(J, num(t));
  const tile: K.Stmt[] = [
    ...acc.map((c) => declLet(c, num(0))),
    loop("q", to, (q) => [
      decl(a, load(s.scratch, add(V, q))),
      decl(p, load(s.iscratch, add(X, q))),
      ...(s.bTransposed
        ? acc.map((c, t) => set(c, K.bin("*", get(a), bAt(s, get(p), at(t))), "+="))
        : [decl(r, add(mul(get(p), s.N), J)), ...acc.map((c, t) => set(c, K.bin("*", get(a), load(s.b, add(get(r), num(t)))), "+="))]),
    ], from),
    ...acc.map((c, t) => store(s.scratch, add(R, at(t)), get(c))),
  ];
  const c0 = acc[0]!;
  const rest: K.Stmt[] = [
    declLet(c0, num(0)),
    loop("q", to, (q) => [set(c0, K.bin("*", load(s.scratch, add(V, q)), bAt(s, load(s.iscratch, add(X, q)), J)), "+=")], from),
    store(s.scratch, add(R, J), get(c0)),
  ];
  return [
    decl(row, mul(i, s.N)),
    declLet(j, num(0)),
    { k: "for", v: j, cond: K.bin("<=", add(J, num(TILE)), s.N), step: TILE, body: tile },
    { k: "for", v: j, cond: K.bin("<", J, s.N), step: 1, body: rest },
  ];
}

function rowsOfA(s: MatmulShape): { body: K.Stmt[]; size: K.Expr; intSize: K.Expr } {
  const V = mul(s.M, s.N);
  const dense = K.local("dense");
  const nz = K.local("nz");
  const a = K.local("a");
  const body = [
    ...finiteCheck(s, dense),
    K.comment(`the non-zeros of row i of ${s.aLabel}, then C[i, :] eight columns at a time`),
    loop("i", s.M, (i) => [
      declLet(nz, num(0)),
      loop("p", s.K, (p) => [
        decl(a, load(s.a, add(mul(i, s.K), p))),
        K.iff(K.bin("||", K.bin("!==", get(a), num(0)), K.bin("!==", get(dense), num(0))), [
          store(s.scratch, add(V, get(nz)), get(a)),
          store(s.iscratch, get(nz), p),
          set(nz, num(1), "+="),
        ]),
      ]),
      ...rowFromList(s, i, V, num(0), num(0), get(nz)),
    ]),
  ];
  return { body, size: add(V, s.K), intSize: s.K };
}

function transposedA(s: MatmulShape): { body: K.Stmt[]; size: K.Expr; intSize: K.Expr } {
  // A(i, p) = a[p * M + i]: list the non-zeros of each column i of the stored array;
  // list starts (S) and cursors (W) live in the int scratch, then the column indices (X); values after C
  const S = num(0);
  const W = add(s.M, num(1));
  const X = add(mul(s.M, num(2)), num(1));
  const V = mul(s.M, s.N);
  const dense = K.local("dense");
  const a = K.local("a");
  const at = K.local("at");
  const nonZero = (e: K.Expr) => K.bin("||", K.bin("!==", e, num(0)), K.bin("!==", get(dense), num(0)));
  const aAt = (p: K.Expr, i: K.Expr) => load(s.a, add(mul(p, s.M), i));
  const body = [
    ...finiteCheck(s, dense),
    K.comment(`the non-zeros of each column of ${s.aLabel} (read transposed in place), then C[i, :] eight columns at a time`),
    loop("i", add(s.M, num(1)), (i) => [store(s.iscratch, add(S, i), num(0))]),
    loop("p", s.K, (p) => [loop("i", s.M, (i) => [K.iff(nonZero(aAt(p, i)), [store(s.iscratch, add(add(S, i), num(1)), num(1), "+=")])])]),
    loop("i", s.M, (i) => [
      store(s.iscratch, add(add(S, i), num(1)), load(s.iscratch, add(S, i)), "+="),
      store(s.iscratch, add(W, i), load(s.iscratch, add(S, i))),
    ]),
    loop("p", s.K, (p) => [
      loop("i", s.M, (i) => [
        decl(a, aAt(p, i)),
        K.iff(K.bin("&&", K.bin("===", get(a), num(0)), K.bin("===", get(dense), num(0))), [{ k: "continue" }]),
        decl(at, load(s.iscratch, add(W, i))),
        store(s.iscratch, add(W, i), num(1), "+="),
        store(s.scratch, add(V, get(at)), get(a)),
        store(s.iscratch, add(X, get(at)), p),
      ]),
    ]),
    loop("i", s.M, (i) => rowFromList(s, i, V, X, load(s.iscratch, add(S, i)), load(s.iscratch, add(add(S, i), num(1))))),
  ];
  return { body, size: add(V, mul(s.K, s.M)), intSize: add(X, mul(s.K, s.M)) };
}
